import Backbone from 'backbone';
import { Communicator, type EventSourceLike } from '../communicator/communicator';
import type { SessionCookie } from '../communicator/session-cookie';
import { AccountController } from '../controllers/account-controller';
import { DirectoryController } from '../controllers/directory-controller';
import { HistoryController } from '../controllers/history-controller';
import { SearchController } from '../search/search-controller';
import { LoginController } from '../controllers/login-controller';
import { OutboxController } from '../controllers/outbox-controller';
import { ReceiptController, type VisibilitySource } from '../controllers/receipt-controller';
import { ReceiptsWatchController } from '../controllers/receipts-watch-controller';
import { SubscriptionController } from '../controllers/subscription-controller';
import { TypingController } from '../controllers/typing-controller';
import { createDispatch, type Dispatch } from '../dispatch/dispatch';
import { ContactCollection } from '../models/contact-collection';
import { ConversationCollection } from '../models/conversation-collection';
import type { Draft } from '../models/draft';
import { DraftCollection } from '../models/draft-collection';
import { MessageCollection } from '../models/message-collection';
import { withDurableLocal } from '../offline/durable-local-backend';
import { OutboxLeadership } from '../offline/outbox-leadership';
import type { CrossTabChannel } from '../offline/cross-tab-channel';
import { PreferenceCollection } from '../models/preference-collection';
import { MessageNotifier } from '../notify/message-notifier';
import type { NotificationApi } from '../notify/notification-api';
import { NotificationSettings } from '../notify/notification-settings';
import { TabAttention } from '../notify/tab-attention';
import { UnreadCounter } from '../notify/unread-counter';
import type { ModelContext } from '../models/model-context';
import { createBrowserBackends, type StorageOptions } from '../store/browser-backends';
import { Store, type StoreBackends } from '../store/store';
import { storeSync } from '../store/store-sync';
import type { ViewCore } from './client-core-api';
import { documentVisibility } from './document-visibility';
import { ThemePreference } from './theme-preference';

export interface ClientCoreOptions {
  /** The server's WebSocket URL, e.g. `wss://host/ws`. */
  url: string;
  /** Defaults to the browser's WebSocket; Node tests pass the `ws` package's. */
  WebSocketImpl?: typeof WebSocket;
  /** Browser storage to use (defaults to the page's), or ready-made backends, or 'memory' for none at all. */
  storage?: StorageOptions | { backends: StoreBackends } | 'memory';
  clientVersion?: string;
  /** Source of the browser's `online` event; defaults to `window`. */
  onlineEvents?: EventSourceLike | null;
  /** Page visibility for read receipts; defaults to the document's. */
  visibility?: VisibilitySource | null;
  /** Tuning, mostly for tests. */
  heartbeatIntervalMs?: number;
  flushDelayMs?: number;
  sendsPerSecond?: number;
  receiptDebounceMs?: number;
  random?: () => number;
  /** Which tab sends the shared outbox; defaults to a Web Lock (every tab sends where there are none). */
  outboxLeadership?: OutboxLeadership | null;
  /**
   * The HttpOnly session cookie's routes (a browser page, src/main.ts):
   * trusted sessions then keep no token. None by default: programs and
   * tests keep the token, as clients that are not browsers do.
   */
  sessionCookie?: SessionCookie | null;
  /** The theme choice (src/main.ts reads it from the device before anything renders); defaults to one in memory. */
  theme?: ThemePreference;
  /** System notifications of new messages (src/notify); none by default. */
  notifications?: NotificationWiring;
}

/** What the notifications need from the page: the browser's API, the tabs' channel and lock, bringing the tab forward. */
export interface NotificationWiring {
  /** The Notification API (browserNotificationApi() in the app, a fake in tests); null: no system notifications. */
  api?: NotificationApi | null;
  /** The channel the offline layer uses too: which conversation each tab shows. */
  channel?: CrossTabChannel | null;
  /** Which tab notifies; defaults to the Web Lock `tidings-notify` (every tab where there are none). */
  leadership?: OutboxLeadership | null;
  focusTab?: () => void;
  coalesceMs?: number;
}

/** The Web Locks name of the tab that raises notifications. */
export const NOTIFY_LOCK = 'tidings-notify';

/**
 * The client core as the wiring (src/main.ts, src/offline) and the tests
 * hold it: the views' face (client-core-api.ts) with its concrete classes,
 * plus the store, the communicator and the life cycle.
 */
export interface ClientCore extends ViewCore {
  dispatch: Dispatch;
  store: Store;
  communicator: Communicator;
  collections: {
    contacts: ContactCollection;
    conversations: ConversationCollection;
    /** The same collection for the same conversation every time. */
    messagesFor(conversationId: string): MessageCollection;
    /** The conversation's unsent draft, which the composer saves and destroys through the store. */
    draftFor(conversationId: string): Draft;
    /** Notifications on or off, and the muted conversations, kept on the device. */
    preferences: PreferenceCollection;
  };
  /** Loads the cache from disk (so the chat shows at once), then connects. */
  start(): Promise<void>;
  /** Disconnects, stops every timer and writes what is pending. */
  stop(): Promise<void>;
}

/**
 * Builds and wires one client core: bus, store, communicator, controllers,
 * collections. No module-level state: tests build as many as they like,
 * each with its own socket implementation and storage.
 */
export function createClientCore(options: ClientCoreOptions): ClientCore {
  // The same function for every core: it finds the store on the model or collection it syncs.
  Backbone.sync = storeSync;
  const dispatch = createDispatch();
  const store = new Store({ dispatch, backends: backendsFor(options.storage), flushDelayMs: options.flushDelayMs ?? 30 });
  const WebSocketImpl = options.WebSocketImpl ?? globalThis.WebSocket;
  const onlineEvents = options.onlineEvents === undefined ? (typeof window === 'undefined' ? null : window) : options.onlineEvents;
  const communicator = new Communicator({
    url: options.url,
    dispatch,
    WebSocketImpl,
    onlineEvents,
    ...(options.heartbeatIntervalMs ? { heartbeatIntervalMs: options.heartbeatIntervalMs } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
  const session = new LoginController({
    dispatch,
    communicator,
    store,
    clientVersion: options.clientVersion ?? 'tidings-web/0.1.0',
    sessionCookie: options.sessionCookie ?? null,
  });
  const selfId = (): string | null => session.currentUser()?.id ?? null;
  const subscriptions = new SubscriptionController({ dispatch, communicator, store });
  const outbox = new OutboxController({
    dispatch,
    communicator,
    store,
    selfId,
    leadership: options.outboxLeadership === undefined ? new OutboxLeadership() : options.outboxLeadership,
    ...(options.sendsPerSecond ? { sendsPerSecond: options.sendsPerSecond } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
  const visibility = options.visibility === undefined ? documentVisibility() : options.visibility;
  const receipts = new ReceiptController({ dispatch, communicator, store, selfId, visibility, debounceMs: options.receiptDebounceMs ?? 250 });
  const typing = new TypingController({ dispatch, communicator, selfId });
  const directory = new DirectoryController({ dispatch, communicator, store });
  // Older history comes from the disk while it holds some, then from the server.
  const history = new HistoryController({ communicator, store, directory });
  const receiptsWatch = new ReceiptsWatchController({ dispatch, communicator, store, selfId });
  const account = new AccountController({ dispatch, communicator, store });
  const theme = options.theme ?? new ThemePreference({ storage: null, apply: () => undefined });
  // Search answers from the device's index first (offline too), then merges the server's.
  const search = new SearchController({ store, dispatch, server: (payload) => communicator.request('SearchMessagesCommand', payload) });

  // Each collection declares this core's store; Backbone.sync (storeSync) reads and writes the one declared.
  const context: ModelContext = { dispatch, store };
  const contacts = new ContactCollection(context);
  const conversations = new ConversationCollection(context);
  const drafts = new DraftCollection(context);
  const preferences = new PreferenceCollection(context);
  const messageCollections = new Map<string, MessageCollection>();
  const messagesFor = (conversationId: string): MessageCollection => {
    let collection = messageCollections.get(conversationId);
    if (!collection) messageCollections.set(conversationId, (collection = new MessageCollection(conversationId, context)));
    return collection;
  };

  // New messages told while the person is elsewhere, once per device; the unread total for the title and badges.
  const notifyWiring = options.notifications ?? {};
  const notificationApi = notifyWiring.api ?? null;
  const attention = new TabAttention({ channel: notifyWiring.channel ?? null, visibility, userId: selfId });
  const notifier = new MessageNotifier({
    dispatch,
    store,
    preferences,
    selfId,
    isPublicComputer: () => session.isPublicComputer(),
    api: notificationApi,
    leadership: notifyWiring.leadership === undefined ? new OutboxLeadership(undefined, NOTIFY_LOCK) : notifyWiring.leadership,
    attention,
    focusTab: notifyWiring.focusTab ?? (() => undefined),
    ...(notifyWiring.coalesceMs !== undefined ? { coalesceMs: notifyWiring.coalesceMs } : {}),
  });
  const unread = new UnreadCounter({ dispatch, conversations, preferences });
  const notifications = new NotificationSettings({ dispatch, preferences, api: notificationApi, unread });

  return {
    dispatch,
    store,
    communicator,
    session,
    outbox,
    directory,
    history,
    receipts: {
      setVisibleConversation: (conversationId) => {
        receipts.setVisibleConversation(conversationId);
        attention.setOpenConversation(conversationId);
      },
      watchReceipts: (conversationId) => receiptsWatch.watchReceipts(conversationId),
      seenBy: (conversationId, seq) => receiptsWatch.seenBy(conversationId, seq),
    },
    typing,
    collections: { contacts, conversations, messagesFor, draftFor: (conversationId: string) => drafts.draftFor(conversationId), preferences },
    account,
    theme,
    notifications,
    search,
    async start() {
      try {
        await store.load();
      } catch (error) {
        // A broken cache must not keep the app offline: start empty, the server refills it.
        console.warn('could not load the local cache', error);
      }
      communicator.start();
    },
    async stop() {
      communicator.stop();
      for (const controller of [subscriptions, outbox, receipts, receiptsWatch, typing, session, account, notifier, unread, attention, search]) controller.stop();
      notifications.dispose();
      await store.flush();
    },
  };
}

function backendsFor(storage: ClientCoreOptions['storage']): StoreBackends | null {
  if (storage === 'memory') return null;
  if (storage && 'backends' in storage) return storage.backends;
  // The session record and conversation list also go to IndexedDB, so a browser killed right after login keeps them.
  return withDurableLocal(createBrowserBackends(storage ?? {}), storage ?? {});
}

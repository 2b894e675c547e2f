import type { Communicator } from '../communicator/communicator';
import { backoffDelay } from '../communicator/backoff';
import { ConnectionError } from '../communicator/connection-error';
import type { StoreChange } from '../store/schemas';
import type { Dispatch } from '../dispatch/dispatch';
import {
  ContactSchema,
  ConversationSchema,
  EntrySchema,
  ProtocolError,
  messagesResource,
  parseResource,
  type Contact,
  type Conversation,
  type Entry,
  type ServerMessages,
} from '../protocol';
import type { Store } from '../store/store';
import { fetchContacts, fetchConversations } from './list-pages';
import { MessageFetcher } from './message-fetcher';

export interface SubscriptionControllerOptions {
  dispatch: Dispatch;
  communicator: Communicator;
  store: Store;
  /** A conversation that moved ahead without its messages notification is caught up after this delay. */
  catchUpDelayMs?: number;
}

/**
 * The subscribe / notified / request / receive loops of docs/PROTOCOL.md section
 * 3. On every session-ready it subscribes to contacts, conversations and each
 * conversation's messages and fetches what changed; notifications store
 * their inline items or request the changed part; a conversation whose
 * latestSeq is past what is stored is caught up (section 6).
 */
export class SubscriptionController {
  private readonly options: SubscriptionControllerOptions;
  private readonly fetcher: MessageFetcher;
  private readonly subscribed = new Set<string>();
  private readonly catchUpTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Consecutive refusals (RATE_LIMITED, INTERNAL) per task, for the retry backoff. */
  private readonly retries = new Map<string, number>();
  private ready = false;
  /**
   * Ids stored from notifications while the full lists are being fetched:
   * the lists come in pages, so one created meanwhile may sort before the
   * pages still to come and be missing from them without being gone.
   */
  private noticed: { contacts: Set<string>; conversations: Set<string> } | null = null;
  private readonly stops: (() => void)[] = [];

  constructor(options: SubscriptionControllerOptions) {
    this.options = options;
    this.fetcher = new MessageFetcher(options.communicator, options.store);
    const { dispatch } = options;
    this.stops.push(
      dispatch.subscribe('session:ready', () => void this.onSessionReady()),
      dispatch.subscribe('connection:close', () => this.onSessionLost()),
      dispatch.subscribe('connection:state', (status) => {
        if (status.state !== 'online') this.forgetPresence();
      }),
      dispatch.subscribe('session:ended', () => this.onSessionLost()),
      dispatch.subscribe('ResourceChangedNotification', (n) => this.onResourceChanged(n)),
      dispatch.subscribe('store:change:conversations', (c) => this.onConversationsStored(c)),
    );
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
    this.onSessionLost();
  }

  /** Fetches every message of a conversation past what is stored (reconnect catch-up, gap fill). */
  catchUp(conversationId: string, knownLatestSeq = 0): Promise<void> {
    const known = Math.max(knownLatestSeq, this.options.store.find('conversations', conversationId)?.latestSeq ?? 0);
    return this.fetcher.catchUp(conversationId, known).then(
      () => void this.retries.delete(conversationId),
      (error: unknown) => this.retryLater(conversationId, error, () => void this.catchUp(conversationId, known)),
    );
  }

  private async onSessionReady(): Promise<void> {
    this.ready = true;
    const { communicator, store } = this.options;
    try {
      await Promise.all([communicator.request('SubscribeCommand', { resource: 'contacts' }), communicator.request('SubscribeCommand', { resource: 'conversations' })]);
      const noticed = (this.noticed = { contacts: new Set<string>(), conversations: new Set<string>() });
      const [contacts, conversations] = await Promise.all([fetchContacts(communicator), fetchConversations(communicator)]);
      replaceAll(store, 'contacts', contacts, noticed.contacts);
      // Storing the conversations subscribes to each one's messages and catches it up.
      const mine = membersOnly(store, conversations);
      replaceConversations(store, mine, noticed.conversations);
      for (const conversation of Object.values(mine)) if (isMember(store, conversation)) this.follow(conversation.id);
      this.retries.delete(SESSION_TASK);
    } catch (error) {
      this.retryLater(SESSION_TASK, error, () => void this.onSessionReady());
    } finally {
      this.noticed = null;
    }
  }

  /**
   * A server that refused for now (RATE_LIMITED, INTERNAL) or did not answer
   * in time on a socket that is still open (TIMEOUT) is asked again after a
   * backoff; a lost connection (OFFLINE, DISCONNECTED) waits for the next
   * session-ready, which starts everything over; other refusals (FORBIDDEN,
   * NOT_FOUND) are final. A TIMEOUT used to count as a lost connection: on a
   * slow link that stayed open, the catch-up (or the whole session's
   * subscriptions) then waited for a reconnect that never came.
   */
  private retryLater(task: string, error: unknown, again: () => void): void {
    if (!isRetryable(error)) {
      ignoreConnectionLoss(error);
      return;
    }
    if (!this.ready || this.catchUpTimers.has(task)) return;
    const attempt = this.retries.get(task) ?? 0;
    this.retries.set(task, attempt + 1);
    const timer = setTimeout(() => {
      this.catchUpTimers.delete(task);
      if (this.ready) again();
    }, backoffDelay(attempt, Math.random, { baseMs: 1000, maxMs: 30_000 }));
    this.catchUpTimers.set(task, timer);
  }

  private onSessionLost(): void {
    this.ready = false;
    this.subscribed.clear();
    for (const timer of this.catchUpTimers.values()) clearTimeout(timer);
    this.catchUpTimers.clear();
    this.retries.clear();
  }

  /**
   * Presence is news the server sends to a subscribed socket; without one
   * (offline, reconnecting, a cold start from the cache) the app does not
   * know who is online and must not say anyone is. The next login's contact
   * fetch tells it again.
   */
  private forgetPresence(): void {
    const { store } = this.options;
    const stale = store.findAll('contacts').filter((contact) => contact.online);
    if (stale.length) store.addItems('contacts', Object.fromEntries(stale.map((contact) => [contact.id, { ...contact, online: false }])));
  }

  private onResourceChanged(notification: ServerMessages['ResourceChangedNotification']): void {
    if (!this.ready) return;
    const resource = parseResource(notification.resource);
    if (!resource) return;
    const { store, communicator } = this.options;
    if (resource.kind === 'contacts') {
      const { valid, missing } = pickValid(notification, (v) => ContactSchema.safeParse(v));
      for (const id of notification.ids) this.noticed?.contacts.add(id);
      if (Object.keys(valid).length) store.addItems('contacts', valid as Record<string, Contact>);
      if (missing.length) void fetchContacts(communicator, missing).then((contacts) => store.addItems('contacts', contacts), ignoreConnectionLoss);
    } else if (resource.kind === 'conversations') {
      const { valid, missing } = pickValid(notification, (v) => ConversationSchema.safeParse(v));
      for (const id of notification.ids) this.noticed?.conversations.add(id);
      const mine = membersOnly(store, valid as Record<string, Conversation>);
      if (Object.keys(mine).length) store.addItems('conversations', mine);
      if (missing.length) {
        void fetchConversations(communicator, missing).then((conversations) => store.addItems('conversations', membersOnly(store, conversations)), ignoreConnectionLoss);
      }
    } else if (resource.kind === 'messages') {
      const { conversationId } = resource;
      // Only conversations we know (and so subscribed to) take messages: a notification for
      // any other one, from a buggy or hostile server, would store and persist a history
      // nobody can see and ask the server for a conversation we are not in.
      if (!store.find('conversations', conversationId)) return;
      const { valid } = pickValid(notification, (v) => EntrySchema.safeParse(v));
      const entries = Object.values(valid as Record<string, Entry>).filter((m) => m.conversationId === conversationId);
      store.addEntries(entries);
      // A gap (or a notification without items) is filled from the last contiguous seq.
      if (notification.version > store.syncPosition(conversationId).syncedSeq) void this.catchUp(conversationId, notification.version);
    }
  }

  /** New conversations get followed; ones that moved past what is stored are caught up shortly. */
  private onConversationsStored(change: StoreChange<'conversations'>): void {
    if (!this.ready) return;
    const { store } = this.options;
    for (const id of change.conversations) {
      const conversation = store.find('conversations', id);
      if (!conversation) continue;
      // A conversation I was removed from keeps what it had, read-only: the server refuses the rest.
      if (!isMember(store, conversation)) continue;
      if (!this.subscribed.has(id)) this.follow(id);
      else if (conversation.latestSeq > store.syncPosition(id).syncedSeq) this.scheduleCatchUp(id);
    }
  }

  private follow(conversationId: string): void {
    if (this.subscribed.has(conversationId)) return;
    this.subscribed.add(conversationId);
    void this.options.communicator
      .request('SubscribeCommand', { resource: messagesResource(conversationId) })
      .then(() => this.catchUp(conversationId))
      .catch((error: unknown) => {
        this.subscribed.delete(conversationId);
        this.retryLater(SUBSCRIBE_TASK + conversationId, error, () => this.follow(conversationId));
      });
  }

  private scheduleCatchUp(conversationId: string): void {
    if (this.catchUpTimers.has(conversationId)) return;
    const timer = setTimeout(() => {
      this.catchUpTimers.delete(conversationId);
      void this.catchUp(conversationId);
    }, this.options.catchUpDelayMs ?? 300);
    this.catchUpTimers.set(conversationId, timer);
  }
}

/** The retry key of the session-ready fetch (conversation ids are the others). */
const SESSION_TASK = '\u0000session';
/** The retry key of subscribing to a conversation's messages, before its id. */
const SUBSCRIBE_TASK = '\u0001';

/** A full fetch is the truth: what it no longer lists is gone, unless a notification brought it while the pages came in. */
function replaceAll(store: Store, schema: 'contacts', items: Record<string, Contact>, noticed: ReadonlySet<string>): void {
  const stale = store.findAll(schema).map((item) => item.id).filter((id) => !(id in items) && !noticed.has(id));
  if (stale.length) store.removeItems(schema, stale);
  store.addItems(schema, items);
}

/**
 * The full list of conversations is the truth about membership: a stored
 * conversation it no longer lists (nor a notification brought meanwhile) is
 * one I was removed from, or left, while away. It stays on the device with
 * what it had, read-only (section 8): kept without me in `memberIds`.
 */
function replaceConversations(store: Store, items: Record<string, Conversation>, noticed: ReadonlySet<string>): void {
  const self = store.currentUserId();
  const next: Record<string, Conversation> = {};
  for (const conversation of store.findAll('conversations')) {
    if (conversation.id in items || noticed.has(conversation.id) || !conversation.memberIds.includes(self ?? '')) continue;
    next[conversation.id] = { ...conversation, memberIds: conversation.memberIds.filter((id) => id !== self) };
  }
  for (const [id, item] of Object.entries(items)) {
    // A notification that came while the pages did may be newer than the page: the newer log position wins.
    const stored = noticed.has(id) ? store.find('conversations', id) : undefined;
    if (!stored || item.latestSeq > stored.latestSeq) next[id] = item;
  }
  store.addItems('conversations', next);
}

/**
 * The conversations the server may tell me of: those I am a member of, and
 * one I hold already (a removal tells me the conversation once more,
 * without me). The server sends no others; one that lists another
 * conversation (buggy or hostile) would have the client store it, show it,
 * subscribe to it and fetch its messages.
 */
function membersOnly(store: Store, conversations: Record<string, Conversation>): Record<string, Conversation> {
  const userId = store.currentUserId();
  return Object.fromEntries(Object.entries(conversations).filter(([id, c]) => userId !== null && (c.memberIds.includes(userId) || store.find('conversations', id) !== undefined)));
}

function isMember(store: Store, conversation: Conversation): boolean {
  const userId = store.currentUserId();
  return userId !== null && conversation.memberIds.includes(userId);
}

/** The inline items that validate, and the ids to request because they were absent or malformed. */
function pickValid<T>(
  notification: ServerMessages['ResourceChangedNotification'],
  parse: (value: unknown) => { success: true; data: T } | { success: false },
): { valid: Record<string, T>; missing: string[] } {
  const valid: Record<string, T> = {};
  const missing: string[] = [];
  for (const id of notification.ids) {
    const result = notification.items && Object.prototype.hasOwnProperty.call(notification.items, id) ? parse(notification.items[id]) : null;
    if (result?.success && (result.data as { id?: unknown }).id === id) valid[id] = result.data;
    else missing.push(id);
  }
  return { valid, missing };
}

function isRetryable(error: unknown): boolean {
  if (error instanceof ConnectionError) return error.code === 'TIMEOUT';
  return error instanceof ProtocolError && (error.code === 'RATE_LIMITED' || error.code === 'INTERNAL');
}

/** A lost connection is not an error here: the next session-ready starts over. */
export function ignoreConnectionLoss(error: unknown): void {
  if (error instanceof ConnectionError) return;
  console.warn('sync request failed', error);
}

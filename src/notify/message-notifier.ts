import type { Dispatch } from '../dispatch/dispatch';
import type { PreferenceCollection } from '../models/preference-collection';
import type { OutboxLeadership } from '../offline/outbox-leadership';
import type { Message } from '../protocol';
import type { StoreChange } from '../store/schemas';
import type { Store } from '../store/store';
import type { NotificationApi, ShownNotification } from './notification-api';
import { notificationContent } from './notification-content';
import type { TabAttention } from './tab-attention';

export interface MessageNotifierOptions {
  dispatch: Dispatch;
  store: Store;
  preferences: PreferenceCollection;
  selfId(): string | null;
  isPublicComputer(): boolean;
  /** Null where the browser has no notifications: nothing is shown, nothing asked. */
  api: NotificationApi | null;
  /** Which tab notifies; null makes every tab notify (no Web Locks). */
  leadership: OutboxLeadership | null;
  attention: TabAttention;
  /** Brings this tab to the front (a click on its notification). */
  focusTab(): void;
  /** Messages of one burst within this window make one notification. */
  coalesceMs?: number;
}

interface Burst {
  count: number;
  latest: Message;
}

interface Shown {
  notification: ShownNotification;
  /** Messages it stands for (a later burst adds to them until the conversation is read). */
  count: number;
  seq: number;
}

/** Raised when the person clicks a notification: the views open that conversation. */
declare module '../dispatch/bus-events' {
  interface BusEvents {
    'notification:open': { conversationId: string };
  }
}

/**
 * Raises a system notification for a message from someone else that arrived
 * live, in a conversation not muted and not in front of the person, once
 * for the device: only the tab holding the `tidings-notify` Web Lock shows
 * it. "Live" means sent after this socket connected (the registration's
 * server time), so the history a reconnect brings in raises nothing. A
 * burst in one conversation is one notification ("3 new messages"), and a
 * notification goes away once its conversation is read, here or elsewhere,
 * or at logout.
 */
export class MessageNotifier {
  /** The server's time when this socket registered; null while not connected. */
  private connectedAt: number | null = null;
  /** The highest seq considered per conversation, so an edit (a new revision of a message) never notifies. */
  private readonly considered = new Map<string, number>();
  private readonly bursts = new Map<string, Burst>();
  private readonly shown = new Map<string, Shown>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly stops: (() => void)[] = [];

  constructor(private readonly options: MessageNotifierOptions) {
    const { dispatch, attention } = options;
    this.stops.push(
      dispatch.subscribe('ClientRegistrationResponse', ({ serverTime }) => {
        this.connectedAt = serverTime;
      }),
      dispatch.subscribe('connection:close', () => {
        this.connectedAt = null;
      }),
      dispatch.subscribe('session:ready', () => {
        if (options.api) void options.leadership?.acquire();
      }),
      dispatch.subscribe('session:ended', () => this.onSessionEnded()),
      dispatch.subscribe('store:change:messages', (change) => this.onMessages(change)),
      dispatch.subscribe('store:change:conversations', (change) => this.onConversations(change)),
      dispatch.subscribe('store:change:preferences', () => this.dropUnwanted()),
      attention.onChange((conversationId) => {
        if (conversationId !== null) this.closeFor(conversationId);
      }),
    );
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
    this.onSessionEnded();
  }

  /** Notifications on screen that this tab raised, by conversation (for tests and the logout). */
  shownCount(): number {
    return this.shown.size;
  }

  private onMessages({ messages: ids }: StoreChange<'messages'>): void {
    const { store } = this.options;
    const entries = ids.map((id) => store.find('messages', id)).filter((entry) => entry !== undefined);
    entries.sort((a, b) => a.seq - b.seq);
    for (const entry of entries) {
      const before = this.considered.get(entry.conversationId) ?? 0;
      if (entry.seq <= before) continue;
      this.considered.set(entry.conversationId, entry.seq);
      if (entry.kind !== 'message' || !this.isNews(entry)) continue;
      const burst = this.bursts.get(entry.conversationId);
      this.bursts.set(entry.conversationId, { count: (burst?.count ?? 0) + 1, latest: burst && burst.latest.seq > entry.seq ? burst.latest : entry });
    }
    if (this.bursts.size > 0 && this.timer === null) this.timer = setTimeout(() => this.flush(), this.options.coalesceMs ?? 300);
  }

  /** A message from someone else, sent after this socket connected, not deleted and not read yet, that this tab may tell of now. */
  private isNews(message: Message): boolean {
    const { store } = this.options;
    if (this.connectedAt === null || message.sentAt < this.connectedAt) return false;
    if (message.senderId === this.options.selfId() || message.deletedAt !== null) return false;
    const conversation = store.find('conversations', message.conversationId);
    if (!conversation || message.seq <= conversation.myReadSeq) return false;
    return this.mayNotify(message.conversationId);
  }

  private mayNotify(conversationId: string): boolean {
    const { api, preferences, leadership, attention } = this.options;
    if (!api || api.permission() !== 'granted' || !preferences.notifications().enabled) return false;
    if (leadership && !leadership.isLeader()) return false;
    return !preferences.isMuted(conversationId) && !attention.isAttended(conversationId);
  }

  private flush(): void {
    this.timer = null;
    const { api, store } = this.options;
    const bursts = [...this.bursts];
    this.bursts.clear();
    for (const [conversationId, burst] of bursts) {
      const conversation = store.find('conversations', conversationId);
      // Read, muted or opened during the window: the burst is no news anymore.
      if (!api || !conversation || burst.latest.seq <= conversation.myReadSeq || !this.mayNotify(conversationId)) continue;
      const count = (this.shown.get(conversationId)?.count ?? 0) + burst.count;
      const notification = api.show(notificationContent({
        conversation,
        latest: burst.latest,
        count,
        sender: store.find('contacts', burst.latest.senderId),
        withText: !this.options.isPublicComputer(),
      }));
      if (!notification) continue;
      notification.onclick = () => this.onClick(conversationId);
      this.shown.set(conversationId, { notification, count, seq: burst.latest.seq });
    }
  }

  private onClick(conversationId: string): void {
    this.options.focusTab();
    this.closeFor(conversationId);
    this.options.dispatch.trigger('notification:open', { conversationId });
  }

  /** A conversation read (here, in another tab or on another device) takes its notification away. */
  private onConversations({ conversations: ids }: StoreChange<'conversations'>): void {
    for (const id of ids) {
      const shown = this.shown.get(id);
      const conversation = this.options.store.find('conversations', id);
      if (shown && (!conversation || conversation.myReadSeq >= shown.seq)) this.closeFor(id);
    }
  }

  /** Notifications turned off, or a conversation muted: what is on screen for them goes. */
  private dropUnwanted(): void {
    const { preferences } = this.options;
    for (const conversationId of [...this.shown.keys()]) {
      if (!preferences.notifications().enabled || preferences.isMuted(conversationId)) this.closeFor(conversationId);
    }
  }

  private closeFor(conversationId: string): void {
    this.bursts.delete(conversationId);
    const shown = this.shown.get(conversationId);
    if (!shown) return;
    this.shown.delete(conversationId);
    shown.notification.onclick = null;
    shown.notification.close();
  }

  /** Logout (or expiry): every notification this tab raised goes, and another tab may notify. */
  private onSessionEnded(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.bursts.clear();
    for (const conversationId of [...this.shown.keys()]) this.closeFor(conversationId);
    this.considered.clear();
    this.options.leadership?.release();
  }
}

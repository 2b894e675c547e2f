import Backbone from 'backbone';
import type { MessageView } from './message-state';
import type { StoreChange } from '../store/schemas';
import type { Store } from '../store/store';
import { Message, messageKey } from './message';
import { selfIdIn, type ModelContext } from './model-context';
import { compareMessages } from './message-order';
import { viewOfMessage, viewOfOutboxEntry } from './message-state';

/** Messages read from disk when a conversation's collection is made (about ten screens); older chunks follow on scroll. */
export const OPEN_WINDOW = 200;

/**
 * One conversation's messages: the stored history in seq order, then the
 * local echoes still in the outbox in the order written. Follows the store's
 * messages, outbox and conversations (receipts) changes. Made, it asks the
 * store for the newest OPEN_WINDOW messages still on disk; it holds what the
 * store has in memory, and older history pages in through `history.loadOlder`.
 */
export class MessageCollection extends Backbone.Collection<Message> {
  readonly schemaName = 'messages' as const;
  readonly conversationId: string;
  readonly store: Store;

  constructor(conversationId: string, context: ModelContext) {
    super();
    this.conversationId = conversationId;
    this.store = context.store;
    void this.fetch({ reset: true });
    this.listenTo(context.dispatch, 'store:change:messages', this.updateMessages);
    this.listenTo(context.dispatch, 'store:change:outbox', this.updateOutbox);
    this.listenTo(context.dispatch, 'store:change:conversations', this.updateReceipts);
    context.store.loadStoredHistory(conversationId, OPEN_WINDOW).catch((error: unknown) => console.warn('could not read stored history', error));
  }

  override preinitialize(): void {
    this.model = Message;
    this.comparator = (a: Message, b: Message) => compareMessages(a.data, b.data);
  }

  override modelId(attributes: MessageView): string {
    return messageKey(attributes);
  }

  /** What `fetch()` reads through the store's sync: this conversation only. */
  storeQuery(store: Store): MessageView[] {
    const conversation = store.find('conversations', this.conversationId);
    const selfId = selfIdIn(store);
    const views = store.messagesOf(this.conversationId).map((m) => viewOfMessage(m, conversation, selfId));
    const acknowledged = new Set(views.map(messageKey));
    for (const entry of store.findAll('outbox')) {
      if (entry.conversationId !== this.conversationId) continue;
      const view = viewOfOutboxEntry(entry);
      if (!acknowledged.has(messageKey(view))) views.push(view);
    }
    return views;
  }

  private updateMessages(change: StoreChange<'messages'>): void {
    const { store } = this;
    const conversation = store.find('conversations', this.conversationId);
    const selfId = selfIdIn(store);
    const upserts: MessageView[] = [];
    const removed: Message[] = [];
    for (const id of change.messages) {
      const message = store.find('messages', id);
      if (message) {
        if (message.conversationId === this.conversationId) upserts.push(viewOfMessage(message, conversation, selfId));
      } else {
        const gone = this.find((m) => m.get('id') === id);
        if (gone) removed.push(gone);
      }
    }
    if (removed.length) this.remove(removed);
    if (upserts.length) this.set(upserts, { remove: false });
  }

  private updateOutbox(change: StoreChange<'outbox'>): void {
    const { store } = this;
    const self = selfIdIn(store);
    const upserts: MessageView[] = [];
    const removed: Message[] = [];
    for (const id of change.outbox) {
      const entry = store.find('outbox', id);
      if (entry && entry.conversationId === this.conversationId) {
        const existing = this.get(messageKey(entry));
        // Once the server message is here, the row follows it, not the outbox.
        if (!existing || existing.get('seq') === null) upserts.push(viewOfOutboxEntry(entry));
      } else if (!entry && self !== null) {
        const echo = this.get(messageKey({ senderId: self, clientMessageId: id }));
        if (echo && echo.get('seq') === null) removed.push(echo);
      }
    }
    if (removed.length) this.remove(removed);
    if (upserts.length) this.set(upserts, { remove: false });
  }

  private updateReceipts(change: StoreChange<'conversations'>): void {
    if (!change.conversations.includes(this.conversationId)) return;
    const { store } = this;
    const self = selfIdIn(store);
    const conversation = store.find('conversations', this.conversationId);
    for (const model of this.models) {
      const { seq, senderId } = model.data;
      if (seq === null || senderId !== self) continue;
      const message = store.messageAt(this.conversationId, seq);
      if (message) model.set('state', viewOfMessage(message, conversation, self).state);
    }
  }
}

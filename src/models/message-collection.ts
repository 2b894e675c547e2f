import Backbone from 'backbone';
import type { MessageView } from './message-state';
import type { StoreChange } from '../store/schemas';
import { isMessageChangeEntry, type OutboxEntry, type OutboxMessageChange, type StoredEntry } from '../store/records';
import type { Store } from '../store/store';
import { Message, messageKey } from './message';
import { selfIdIn, type ModelContext } from './model-context';
import { compareMessages } from './message-order';
import { isRow, isRowEntry, viewOfMessage, viewOfOutboxEntry } from './message-state';

/** Row fields that come and go: a model must lose them when a new view of its row lacks them. */
const OPTIONAL_FIELDS = ['pendingChanges', 'error'] as const;

/** Messages read from disk when a conversation's collection is made (about ten screens); older chunks follow on scroll. */
export const OPEN_WINDOW = 200;

/**
 * One conversation's rows: the stored messages and system lines in seq
 * order, then the local echoes still in the outbox in the order written.
 * Edits, deletions and reactions are not rows: the stored message already
 * carries them, and my own still in the outbox are applied to their
 * message's row (`pendingChanges`). Follows the store's messages, outbox and
 * conversations (receipts) changes. Made, it asks the store for the newest
 * OPEN_WINDOW entries still on disk; it holds what the store has in memory,
 * and older history pages in through `history.loadOlder`.
 */
export class MessageCollection extends Backbone.Collection<Message> {
  readonly schemaName = 'messages' as const;
  readonly conversationId: string;
  readonly store: Store;
  /** The row each of my outbox changes applies to, to refresh it also once the change has left the outbox. */
  private readonly targetOf = new Map<string, string>();

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
    const changes = this.pendingChanges();
    for (const [target, list] of changes) for (const change of list) this.targetOf.set(change.clientMessageId, target);
    const views = store.messagesOf(this.conversationId).filter(isRow).map((entry) => this.viewOf(entry, changes));
    const acknowledged = new Set(views.map(messageKey));
    for (const entry of store.findAll('outbox')) {
      if (entry.conversationId !== this.conversationId || !isRowEntry(entry)) continue;
      const view = viewOfOutboxEntry(entry, changes.get(`local:${entry.clientMessageId}`));
      if (!acknowledged.has(messageKey(view))) views.push(view);
    }
    return views;
  }

  private updateMessages(change: StoreChange<'messages'>): void {
    const { store } = this;
    const changes = this.pendingChanges();
    const upserts: MessageView[] = [];
    const removed: Message[] = [];
    for (const id of change.messages) {
      const entry = store.find('messages', id);
      if (entry) {
        if (entry.conversationId === this.conversationId && isRow(entry)) upserts.push(this.viewOf(entry, changes));
      } else {
        const gone = this.find((m) => m.get('id') === id);
        if (gone) removed.push(gone);
      }
    }
    if (removed.length) this.remove(removed);
    this.setRows(upserts);
  }

  private updateOutbox(change: StoreChange<'outbox'>): void {
    const { store } = this;
    const self = selfIdIn(store);
    const changes = this.pendingChanges();
    const upserts: MessageView[] = [];
    const removed: Message[] = [];
    const targets = new Set<string>();
    for (const id of change.outbox) {
      const entry = store.find('outbox', id);
      if (entry && entry.conversationId === this.conversationId) {
        if (isMessageChangeEntry(entry)) {
          this.targetOf.set(id, entry.targetId);
          targets.add(entry.targetId);
          continue;
        }
        const existing = this.get(messageKey(entry));
        // Once the server's entry is here, the row follows it, not the outbox.
        if (!existing || existing.get('seq') === null) upserts.push(viewOfOutboxEntry(entry, changes.get(`local:${entry.clientMessageId}`)));
      } else if (!entry) {
        const target = this.targetOf.get(id) ?? this.find((m) => m.data.pendingChanges?.some((c) => c.clientMessageId === id) ?? false)?.data.id;
        this.targetOf.delete(id);
        if (target !== undefined) targets.add(target);
        const echo = self === null ? undefined : this.get(messageKey({ senderId: self, clientMessageId: id }));
        if (echo && echo.get('seq') === null) removed.push(echo);
      }
    }
    if (removed.length) this.remove(removed);
    for (const target of targets) {
      const view = this.currentView(target, changes, self);
      if (view) upserts.push(view);
    }
    this.setRows(upserts);
  }

  /** Sets rows in place; a field a row no longer has (its last pending change settled, a retried failure) is unset, not left behind. */
  private setRows(views: MessageView[]): void {
    if (views.length === 0) return;
    for (const view of views) {
      const model = this.get(messageKey(view));
      if (!model) continue;
      for (const key of OPTIONAL_FIELDS) if (!(key in view) && model.has(key)) model.unset(key);
    }
    this.set(views, { remove: false });
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
      if (message && isRow(message)) model.set('state', viewOfMessage(message, conversation, self).state);
    }
  }

  /** A stored row with my changes to it still in the outbox (by its id, or by `local:<clientMessageId>` if it was my echo when changed). */
  private viewOf(entry: StoredEntry, changes: Map<string, OutboxMessageChange[]>): MessageView {
    const self = selfIdIn(this.store);
    const conversation = this.store.find('conversations', this.conversationId);
    const own = entry.senderId === self ? (changes.get(`local:${entry.clientMessageId}`) ?? []) : [];
    return viewOfMessage(entry, conversation, self, [...own, ...(changes.get(entry.id) ?? [])]);
  }

  /** The row a change applies to, as it should show now: the stored message, else the echo. */
  private currentView(target: string, changes: Map<string, OutboxMessageChange[]>, self: string | null): MessageView | null {
    if (target.startsWith('local:')) {
      const clientMessageId = target.slice('local:'.length);
      const model = self === null ? undefined : this.get(messageKey({ senderId: self, clientMessageId }));
      if (model && model.get('seq') !== null) return this.viewOfStored(model.data.id, changes);
      const entry: OutboxEntry | undefined = this.store.find('outbox', clientMessageId);
      return entry && isRowEntry(entry) ? viewOfOutboxEntry(entry, changes.get(target)) : null;
    }
    return this.viewOfStored(target, changes);
  }

  private viewOfStored(id: string, changes: Map<string, OutboxMessageChange[]>): MessageView | null {
    const entry = this.store.find('messages', id);
    return entry && entry.conversationId === this.conversationId && isRow(entry) ? this.viewOf(entry, changes) : null;
  }

  /** My edits, deletions and reactions in this conversation still in the outbox, by the row they apply to. */
  private pendingChanges(): Map<string, OutboxMessageChange[]> {
    const byTarget = new Map<string, OutboxMessageChange[]>();
    for (const entry of this.store.findAll('outbox')) {
      if (entry.conversationId !== this.conversationId || !isMessageChangeEntry(entry)) continue;
      byTarget.set(entry.targetId, [...(byTarget.get(entry.targetId) ?? []), entry]);
    }
    return byTarget;
  }
}

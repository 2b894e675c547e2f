import Backbone from 'backbone';
import type { MessageView } from './message-state';
import type { Conversation as ConversationAttributes } from '../protocol';
import { UNREAD_SCAN_LIMIT } from '../store/chunk-catalogue';
import { viewOfMessage, viewOfOutboxEntry } from './message-state';
import type { ModelContext } from './model-context';

/**
 * A conversation: the protocol attributes, plus what the sidebar needs:
 * how many messages from others are past my read position, and the last
 * message (a pending send counts as the last one).
 */
export class Conversation extends Backbone.Model<ConversationAttributes> {
  override preinitialize(): void {
    this.idAttribute = 'id';
  }

  /** The attributes as the complete wire type: the store only ever holds whole conversations. */
  get data(): ConversationAttributes {
    return this.attributes as ConversationAttributes;
  }

  get context(): ModelContext | undefined {
    return (this.collection as unknown as { context?: ModelContext } | undefined)?.context;
  }

  unreadCount(): number {
    const context = this.context;
    if (!context) return 0;
    const self = context.selfId();
    const readSeq = self === null ? 0 : (this.data.members[self]?.readSeq ?? 0);
    const latestSeq = Math.max(this.data.latestSeq, context.store.syncPosition(this.id as string).syncedSeq);
    let unread = 0;
    for (let seq = Math.max(readSeq, latestSeq - UNREAD_SCAN_LIMIT) + 1; seq <= latestSeq; seq++) {
      const message = context.store.messageAt(this.id as string, seq);
      if (!message || message.senderId !== self) unread++;
    }
    return unread;
  }

  lastMessage(): MessageView | null {
    const context = this.context;
    if (!context) return null;
    const { store } = context;
    const id = this.id as string;
    let pending = null;
    for (const entry of store.findAll('outbox')) {
      if (entry.conversationId === id && (!pending || entry.createdAt >= pending.createdAt)) pending = entry;
    }
    if (pending) return viewOfOutboxEntry(pending);
    // The newest message is known also before the conversation's history is read from disk.
    const latest = store.messageAt(id, this.data.latestSeq) ?? store.messageAt(id, store.syncPosition(id).syncedSeq) ?? store.newestMessage(id);
    return latest ? viewOfMessage(latest, this.data, context.selfId()) : null;
  }

  /** Newest activity: the server's updatedAt, bumped by a local pending send. */
  activity(): number {
    const last = this.lastMessage();
    return Math.max(this.data.updatedAt, last?.seq === null ? last.sentAt : 0);
  }
}

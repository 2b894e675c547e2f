import Backbone from 'backbone';
import type { MessageView } from './message-state';
import type { Conversation as ConversationAttributes } from '../protocol';
import { UNREAD_SCAN_LIMIT } from '../store/chunk-catalogue';
import { declaredStore } from '../store/store-sync';
import { viewOfMessage, viewOfOutboxEntry } from './message-state';
import { selfIdIn } from './model-context';

/**
 * A conversation: the protocol attributes, plus what the sidebar needs:
 * how many messages from others are past my read position, and the last
 * message (a pending send counts as the last one), both read from the store
 * its collection declares.
 */
export class Conversation extends Backbone.Model<ConversationAttributes> {
  override preinitialize(): void {
    this.idAttribute = 'id';
  }

  /** The attributes as the complete wire type: the store only ever holds whole conversations. */
  get data(): ConversationAttributes {
    return this.attributes as ConversationAttributes;
  }

  unreadCount(): number {
    const store = declaredStore(this);
    if (!store) return 0;
    const self = selfIdIn(store);
    const readSeq = self === null ? 0 : (this.data.members[self]?.readSeq ?? 0);
    const latestSeq = Math.max(this.data.latestSeq, store.syncPosition(this.id as string).syncedSeq);
    let unread = 0;
    for (let seq = Math.max(readSeq, latestSeq - UNREAD_SCAN_LIMIT) + 1; seq <= latestSeq; seq++) {
      const message = store.messageAt(this.id as string, seq);
      if (!message || message.senderId !== self) unread++;
    }
    return unread;
  }

  lastMessage(): MessageView | null {
    const store = declaredStore(this);
    if (!store) return null;
    const id = this.id as string;
    let pending = null;
    for (const entry of store.findAll('outbox')) {
      if (entry.conversationId === id && (!pending || entry.createdAt >= pending.createdAt)) pending = entry;
    }
    if (pending) return viewOfOutboxEntry(pending);
    // The newest message is known also before the conversation's history is read from disk.
    const latest = store.messageAt(id, this.data.latestSeq) ?? store.messageAt(id, store.syncPosition(id).syncedSeq) ?? store.newestMessage(id);
    return latest ? viewOfMessage(latest, this.data, selfIdIn(store)) : null;
  }

  /** Newest activity (conversationActivity): the order of the conversation list. */
  activity(): number {
    return conversationActivity(this.data.updatedAt, this.lastMessage());
  }
}

/**
 * The conversation list's order, defined once: newest activity first, the
 * server's updatedAt or the last message's time when that is newer (a
 * pending send, or a message stored before the conversation's own update).
 */
export function conversationActivity(updatedAt: number, last: Pick<MessageView, 'sentAt'> | null): number {
  return Math.max(updatedAt, last?.sentAt ?? 0);
}

import Backbone from 'backbone';
import type { MessageView } from './message-state';
import type { Conversation as ConversationAttributes } from '../protocol';
import { UNREAD_SCAN_LIMIT } from '../store/chunk-catalogue';
import { declaredStore } from '../store/store-sync';
import { isRowEntry, viewOfMessage, viewOfOutboxEntry } from './message-state';
import { selfIdIn } from './model-context';

/**
 * A conversation: the protocol attributes, plus what the sidebar and the
 * conversation view need: how many messages from others are past my read
 * position and where the first of them is, the last message (a pending send
 * counts as the last one), and whether I am still a member, all read from
 * the store its collection declares.
 */
export class Conversation extends Backbone.Model<ConversationAttributes> {
  override preinitialize(): void {
    this.idAttribute = 'id';
  }

  /** The attributes as the complete wire type: the store only ever holds whole conversations. */
  get data(): ConversationAttributes {
    return this.attributes as ConversationAttributes;
  }

  /** Messages from others past my read position (`myReadSeq`); other kinds of entry do not count. */
  unreadCount(): number {
    const store = declaredStore(this);
    if (!store) return 0;
    const self = selfIdIn(store);
    const readSeq = this.data.myReadSeq;
    const latestSeq = Math.max(this.data.latestSeq, store.syncPosition(this.id as string).syncedSeq);
    let unread = 0;
    for (let seq = Math.max(readSeq, latestSeq - UNREAD_SCAN_LIMIT) + 1; seq <= latestSeq; seq++) {
      const entry = store.messageAt(this.id as string, seq);
      // An entry not in memory yet counts: the badge must not hide news it has not read.
      if (!entry || (entry.kind === 'message' && entry.senderId !== self)) unread++;
    }
    return unread;
  }

  /** The seq of the first message from someone else past my read position held in memory, or null when there is none (the "New messages" line). */
  firstUnreadSeq(): number | null {
    const store = declaredStore(this);
    if (!store) return null;
    const self = selfIdIn(store);
    const id = this.id as string;
    const top = Math.max(this.data.latestSeq, store.syncPosition(id).syncedSeq);
    for (let seq = this.data.myReadSeq + 1; seq <= top; seq++) {
      const entry = store.messageAt(id, seq);
      if (entry?.kind === 'message' && entry.senderId !== self) return seq;
    }
    return null;
  }

  /** Whether the person is a member; false once removed (or left): the view is then read-only. */
  isMember(selfId: string): boolean {
    return this.data.memberIds.includes(selfId);
  }

  lastMessage(): MessageView | null {
    const store = declaredStore(this);
    if (!store) return null;
    const id = this.id as string;
    let pending = null;
    for (const entry of store.findAll('outbox')) {
      if (entry.conversationId === id && entry.kind === 'send' && isRowEntry(entry) && (!pending || entry.createdAt >= pending.createdAt)) pending = entry;
    }
    if (pending) return viewOfOutboxEntry(pending);
    // The newest message is known also before the conversation's history is read from disk.
    const latest = store.newestMessage(id);
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

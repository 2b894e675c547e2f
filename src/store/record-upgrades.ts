import type { Conversation, Message } from '../protocol';
import type { OutboxEntry, StoredEntry } from './records';

/**
 * Records persisted by the version-1 client, upgraded as they are read, so a
 * device keeps its history, conversation list and outbox across the update.
 * A version-1 message has no `kind`: it becomes a message entry as the
 * server first stored it (revision = its seq, nothing reacted, replied to,
 * edited or deleted). Records already of version 2 are returned as they are.
 */
export function upgradeStoredEntry(record: StoredEntry | V1Message): StoredEntry {
  if ('kind' in record && typeof record.kind === 'string') return record;
  const v1 = record as V1Message;
  const message: Message = {
    id: v1.id,
    conversationId: v1.conversationId,
    seq: v1.seq,
    senderId: v1.senderId,
    clientMessageId: v1.clientMessageId,
    sentAt: v1.sentAt,
    kind: 'message',
    body: v1.body,
    replyTo: null,
    attachments: [],
    reactions: {},
    editedAt: null,
    deletedAt: null,
    revision: v1.seq,
  };
  return message;
}

/** A version-1 message: what the store wrote before entries had kinds. */
export interface V1Message {
  id: string;
  conversationId: string;
  seq: number;
  senderId: string;
  clientMessageId: string;
  body: string;
  sentAt: number;
}

/**
 * A version-1 conversation carried every member's positions; version 2 keeps
 * `joinedSeq` per member, my own positions, and the summaries over the
 * others (the lowest of their positions). Founders joined at 1.
 */
export function upgradeConversation(record: Conversation | V1Conversation, selfId: string): Conversation {
  if ('myReadSeq' in record && typeof record.myReadSeq === 'number') return record as Conversation;
  const v1 = record as V1Conversation;
  const positions = v1.members ?? {};
  const others = v1.memberIds.filter((id) => id !== selfId);
  const lowest = (field: 'deliveredSeq' | 'readSeq'): number => (others.length ? Math.min(...others.map((id) => positions[id]?.[field] ?? 0)) : 0);
  return {
    id: v1.id,
    kind: v1.kind,
    title: v1.title,
    ownerId: null,
    memberIds: v1.memberIds,
    latestSeq: v1.latestSeq,
    updatedAt: v1.updatedAt,
    members: Object.fromEntries(v1.memberIds.map((id) => [id, { joinedSeq: 1 }])),
    myDeliveredSeq: positions[selfId]?.deliveredSeq ?? 0,
    myReadSeq: positions[selfId]?.readSeq ?? 0,
    deliveredToAllSeq: lowest('deliveredSeq'),
    readByAllSeq: lowest('readSeq'),
  };
}

export interface V1Conversation {
  id: string;
  kind: 'direct' | 'group';
  title: string;
  memberIds: string[];
  latestSeq: number;
  updatedAt: number;
  members: Record<string, { deliveredSeq: number; readSeq: number }>;
}

/** A version-1 outbox entry was always a message to send, without a reply. */
export function upgradeOutboxEntry(record: OutboxEntry | (Omit<OutboxEntry, 'kind'> & { body: string })): OutboxEntry {
  if ('kind' in record && typeof record.kind === 'string') return record;
  const v1 = record as Omit<OutboxEntry, 'kind'> & { body: string };
  return { ...v1, kind: 'send', body: v1.body, replyTo: null } as OutboxEntry;
}

import { describe, expect, it } from 'vitest';
import type { Contact, Conversation, MemberPosition, Message } from './entities';
import { encodeFrame } from './frame';
import { DEFAULT_LIMITS, MAX_GROUP_MEMBERS, MAX_INCOMING_FRAME_BYTES, MAX_REPLY_BYTES, RECEIPT_MEMBER_BYTES, REPLY_ENVELOPE_BYTES } from './limits';

/**
 * The arithmetic behind MAX_REPLY_BYTES (docs/PROTOCOL.md, "Reply
 * sizes"): the client parses every reply the server may send, and the
 * largest item of each page, built from the most expensive values the
 * protocol allows, fits a page many times over, so a page cut by bytes
 * always holds at least one item and the envelope around it fits too.
 */
const bytes = (text: string): number => new TextEncoder().encode(text).length;
// 64 characters, the longest id, each escaped to 6 bytes: worse than any id the server makes.
const id = (n: number): string => `\u0001${String(n).padStart(63, '0')}`;
const BIG = Number.MAX_SAFE_INTEGER;

describe('reply sizes', () => {
  it('the client cap is above the largest reply', () => {
    expect(MAX_INCOMING_FRAME_BYTES).toBeGreaterThan(MAX_REPLY_BYTES);
  });

  it('the largest message, conversation entry and contact each fit a page with room for more', () => {
    const message: Message = {
      id: id(1),
      conversationId: id(2),
      seq: BIG,
      senderId: id(3),
      clientMessageId: '\u0002'.repeat(64),
      body: '\u0001'.repeat(DEFAULT_LIMITS.maxBodyLength),
      sentAt: BIG,
      kind: 'message',
      replyTo: id(4),
      attachments: [],
      reactions: {},
      editedAt: BIG,
      deletedAt: null,
      revision: BIG,
    };
    const members: Conversation['members'] = {};
    const memberIds: string[] = [];
    for (let n = 0; n < MAX_GROUP_MEMBERS; n++) {
      memberIds.push(id(n));
      members[id(n)] = { joinedSeq: BIG };
    }
    const entry: Conversation = {
      id: id(1),
      kind: 'group',
      title: '\u0001'.repeat(100),
      ownerId: id(2),
      memberIds,
      latestSeq: BIG,
      updatedAt: BIG,
      members,
      myDeliveredSeq: BIG,
      myReadSeq: BIG,
      deliveredToAllSeq: BIG,
      readByAllSeq: BIG,
    };
    const contact: Contact = { id: id(1), username: 'u'.repeat(32), displayName: '\u0001'.repeat(64), online: true, lastSeenAt: BIG };
    const budget = MAX_REPLY_BYTES - REPLY_ENVELOPE_BYTES;
    expect(bytes(JSON.stringify(message))).toBeLessThan(budget / 30);
    expect(bytes(JSON.stringify(entry))).toBeLessThan(budget / 2);
    expect(bytes(JSON.stringify(contact))).toBeLessThan(budget / 500);
  });

  it('a group of MAX_GROUP_MEMBERS with the most escaped ids fits one entry and one receipts reply (or notification)', () => {
    // Every one of the 64 characters escaped to 6 bytes: worse than the ids above.
    const worstId = (n: number): string => `${String(n).padStart(4, '0')}${'\u0001'.repeat(60)}`;
    const positions: Record<string, MemberPosition> = {};
    const memberIds: string[] = [];
    const members: Conversation['members'] = {};
    for (let n = 0; n < MAX_GROUP_MEMBERS; n++) {
      memberIds.push(worstId(n));
      members[worstId(n)] = { joinedSeq: BIG };
      positions[worstId(n)] = { deliveredSeq: BIG, readSeq: BIG };
    }
    const requestId = '\u0001'.repeat(64);
    const reply = encodeFrame('ReceiptsResponse', { conversationId: worstId(1), members: positions, requestId });
    const notification = encodeFrame('ResourceChangedNotification', { resource: `receipts:${worstId(1)}`, version: BIG, ids: memberIds, items: positions });
    const receiptsBound = MAX_GROUP_MEMBERS * RECEIPT_MEMBER_BYTES + REPLY_ENVELOPE_BYTES;
    expect(bytes(reply)).toBeLessThanOrEqual(receiptsBound);
    expect(bytes(notification)).toBeLessThanOrEqual(receiptsBound);
    expect(receiptsBound).toBeLessThanOrEqual(MAX_REPLY_BYTES);
    const entry = { id: worstId(1), kind: 'group', title: '\u0001'.repeat(100), ownerId: worstId(2), memberIds, latestSeq: BIG, updatedAt: BIG, members, myDeliveredSeq: BIG, myReadSeq: BIG, deliveredToAllSeq: BIG, readByAllSeq: BIG };
    expect(bytes(JSON.stringify(entry))).toBeLessThan(MAX_REPLY_BYTES - REPLY_ENVELOPE_BYTES);
    expect(bytes(JSON.stringify(entry))).toBeLessThan(806 * 1024);
  });

  it('the frame around a page fits REPLY_ENVELOPE_BYTES', () => {
    const requestId = '\u0001'.repeat(64);
    const envelopes = [
      encodeFrame('MessagesResponse', { conversationId: id(1), messages: {}, latestSeq: BIG, hasMore: true, requestId }),
      encodeFrame('ConversationsResponse', { conversations: {}, version: BIG, hasMore: true, lastId: id(1), requestId }),
      encodeFrame('ContactsResponse', { contacts: {}, version: BIG, hasMore: true, lastId: id(1), requestId }),
    ];
    for (const text of envelopes) expect(bytes(text)).toBeLessThan(REPLY_ENVELOPE_BYTES);
  });
});

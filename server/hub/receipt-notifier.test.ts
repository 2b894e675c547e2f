import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/protocol/index';
import { MemoryNoticeCoalescer } from '../handlers/notice-coalescer';
import { openDatabase } from '../storage/database';
import { Seeder } from '../storage/seed';
import { Storage } from '../storage/storage';
import { ConversationNotifier } from './conversation-notifier';
import { Hub, receiptsKey } from './hub';
import { Outbox } from './outbox';
import type { Peer } from './peer';
import { ReceiptNotifier } from './receipt-notifier';
import { ResourceVersions } from './versions';

function fakePeer(id: number, userId: string): Peer & { sent: string[] } {
  return {
    id,
    userId,
    subscriptions: new Set(),
    sent: [],
    sendText(text) {
      this.sent.push(text);
    },
    close() {},
    cork() {},
    uncork() {},
  };
}

function setup(intervalMs: number) {
  const db = openDatabase(':memory:', 'normal');
  const storage = new Storage(db);
  const seeder = new Seeder(db, () => storage.conversations.forgetCached());
  const users = seeder.users(['aaa', 'bbb', 'ccc'].map((username) => ({ username, passwordHash: 'x' })));
  const conv = seeder.conversation({ memberIds: users, kind: 'group' });
  seeder.messages(conv, Array.from({ length: 5 }, () => ({ senderId: users[0]!, body: 'x' })));
  const hub = new Hub();
  const versions = new ResourceVersions();
  const notices = new MemoryNoticeCoalescer(intervalMs);
  const notifier = new ReceiptNotifier(storage, hub, versions, notices, new ConversationNotifier(storage, versions, hub));
  const peers = users.map((u, i) => {
    const peer = fakePeer(i + 1, u);
    hub.subscribe(peer, receiptsKey(conv));
    return peer;
  });
  /** A committed receipt, as the send path hands it over. */
  const receipt = (userId: string, seq: number): void => {
    storage.conversations.get(conv);
    const moves = storage.conversations.committed(new Map(), 0, [{ conversationId: conv, userId, deliveredSeq: seq, readSeq: seq }]);
    const out = new Outbox();
    const pass = new ConversationNotifier(storage, versions, hub).patches();
    notifier.moved(moves, pass, out);
    pass.send(out);
    out.send();
  };
  return { db, storage, users, conv, hub, notices, notifier, peers, receipt };
}

type Receipts = { ids: string[]; items: Record<string, { deliveredSeq: number; readSeq: number }>; version: number };
const payload = (frame: string): Receipts => decodeFrame(frame).payload as Receipts;

describe('ReceiptNotifier', () => {
  it('coalesces a conversation\'s receipts to one notification per interval, listing every member who moved, at their latest', async () => {
    const { db, users, peers, receipt, notices } = setup(100);
    const [a, b, c] = users as [string, string, string];
    receipt(a, 1);
    expect(payload(peers[2]!.sent[0]!)).toMatchObject({ ids: [a], items: { [a]: { deliveredSeq: 1, readSeq: 1 } } });
    receipt(b, 2);
    receipt(a, 3);
    receipt(b, 4);
    expect(peers[2]!.sent).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 160));
    expect(peers[2]!.sent).toHaveLength(2);
    const later = payload(peers[2]!.sent[1]!);
    expect(later.ids.sort()).toEqual([a, b].sort());
    expect(later.items).toEqual({ [a]: { deliveredSeq: 3, readSeq: 3 }, [b]: { deliveredSeq: 4, readSeq: 4 } });
    expect(later.version).toBeGreaterThan(payload(peers[2]!.sent[0]!).version);
    void c;
    notices.stop();
    db.close();
  });

  it('tells the subscribers of a removed member by id alone, and ends that member\'s own subscription', () => {
    const { db, storage, users, conv, hub, notifier, peers } = setup(0);
    const [a, b] = users as [string, string, string];
    db.prepare('DELETE FROM members WHERE conversation_id = ? AND user_id = ?').run(conv, b);
    storage.conversations.forgetCached(conv);
    notifier.membersChanged(conv, [b]);
    const note = payload(peers[0]!.sent[0]!);
    expect(note.ids).toEqual([b]);
    expect(note.items).toEqual({});
    expect(peers[1]!.sent).toEqual([]);
    expect(peers[1]!.subscriptions.has(receiptsKey(conv))).toBe(false);
    // Nothing more reaches the removed member.
    storage.conversations.committed(new Map(), 0, [{ conversationId: conv, userId: a, deliveredSeq: 2, readSeq: 2 }]);
    hub.notifyChanged([receiptsKey(conv)], { resource: receiptsKey(conv), version: 1, ids: [a] });
    expect(peers[1]!.sent).toEqual([]);
    db.close();
  });
});

import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/protocol/index';
import { openDatabase } from '../storage/database';
import { Seeder } from '../storage/seed';
import { Storage } from '../storage/storage';
import { ConversationNotifier } from './conversation-notifier';
import { Hub, conversationsKey } from './hub';
import { Outbox } from './outbox';
import type { Peer } from './peer';
import { ResourceVersions } from './versions';

function fakePeer(id: number): Peer & { sent: string[]; corks: number; uncorks: number } {
  return {
    id,
    userId: null,
    subscriptions: new Set(),
    sent: [],
    corks: 0,
    uncorks: 0,
    sendText(text) {
      this.sent.push(text);
    },
    close() {},
    cork() {
      this.corks++;
    },
    uncork() {
      this.uncorks++;
    },
  };
}

function setup(largeGroup = { members: 0, intervalMs: 0 }) {
  const db = openDatabase(':memory:', 'normal');
  const storage = new Storage(db);
  const seeder = new Seeder(db, () => storage.conversations.forgetCached());
  const users = seeder.users(['aaa', 'bbb', 'ccc', 'ddd'].map((username) => ({ username, passwordHash: 'x' })));
  const hub = new Hub();
  const notifier = new ConversationNotifier(storage, new ResourceVersions(), hub, largeGroup);
  const peers = users.map((u, i) => {
    const peer = fakePeer(i + 1);
    hub.subscribe(peer, conversationsKey(u));
    return peer;
  });
  return { db, storage, seeder, users, hub, notifier, peers };
}

describe('ConversationNotifier (coalesced conversations notifications)', () => {
  it('sends one notification per socket for everything one pass changed, with every changed entry inline', () => {
    const { db, seeder, users, notifier, peers } = setup();
    const [a, b, c, d] = users as [string, string, string, string];
    const direct = seeder.conversation({ memberIds: [a, b] });
    const group = seeder.conversation({ memberIds: [a, b, c] });
    notifier.notify(Array.from({ length: 20 }, (_, i) => (i % 2 ? direct : group)));
    const [pa, pb, pc, pd] = peers as [ReturnType<typeof fakePeer>, ReturnType<typeof fakePeer>, ReturnType<typeof fakePeer>, ReturnType<typeof fakePeer>];
    expect([pa.sent.length, pb.sent.length, pc.sent.length, pd.sent.length]).toEqual([1, 1, 1, 0]);
    // a and b share the set {direct, group}: one encoded string for both.
    expect(pa.sent[0]).toBe(pb.sent[0]);
    const both = decodeFrame(pa.sent[0]!).payload as { resource: string; ids: string[]; items: Record<string, { memberIds: string[] }>; version: number };
    expect(both.resource).toBe('conversations');
    expect([...both.ids].sort()).toEqual([direct, group].sort());
    expect(Object.keys(both.items).sort()).toEqual([direct, group].sort());
    const onlyGroup = decodeFrame(pc.sent[0]!).payload as typeof both;
    expect(onlyGroup.ids).toEqual([group]);
    expect(onlyGroup.items[group]!.memberIds.sort()).toEqual([a, b, c].sort());
    expect(onlyGroup.version).toBe(both.version);
    void d;
    db.close();
  });
});

describe('ConversationNotifier: large groups', () => {
  const latestSeqIn = (frame: string, id: string): number =>
    (decodeFrame(frame).payload as { items: Record<string, { latestSeq: number }> }).items[id]!.latestSeq;

  it('notifies a group of at least `members` at most once per interval, with the entry as it is when the interval ends', async () => {
    const { db, seeder, users, notifier, peers } = setup({ members: 3, intervalMs: 150 });
    const [a, b, c, d] = users as [string, string, string, string];
    const group = seeder.conversation({ memberIds: [a, b, c, d] });
    const direct = seeder.conversation({ memberIds: [a, b] });
    notifier.notify([group]);
    expect(peers.map((p) => p.sent.length)).toEqual([1, 1, 1, 1]);
    // Three more messages in three passes within the interval: nothing yet for the group...
    for (let seq = 1; seq <= 3; seq++) {
      seeder.messages(group, [{ senderId: a, body: `m${seq}` }]);
      notifier.notify([group]);
    }
    expect(peers.map((p) => p.sent.length)).toEqual([1, 1, 1, 1]);
    // ...while a small conversation is still notified at once.
    notifier.notify([direct]);
    expect(peers.map((p) => p.sent.length)).toEqual([2, 2, 1, 1]);
    expect((decodeFrame(peers[0]!.sent[1]!).payload as { ids: string[] }).ids).toEqual([direct]);
    // When the interval ends: ONE notification carrying the latest entry.
    await new Promise((r) => setTimeout(r, 250));
    expect(peers.map((p) => p.sent.length)).toEqual([3, 3, 2, 2]);
    expect(latestSeqIn(peers[3]!.sent[1]!, group)).toBe(3);
    notifier.stop();
    db.close();
  });

  it('sends the first change of a group at once, and never holds small conversations', () => {
    const { db, seeder, users, notifier, peers } = setup({ members: 3, intervalMs: 10_000 });
    const direct = seeder.conversation({ memberIds: [users[0]!, users[1]!] });
    for (let i = 0; i < 3; i++) notifier.notify([direct]);
    expect(peers[0]!.sent).toHaveLength(3);
    const group = seeder.conversation({ memberIds: [users[0]!, users[1]!, users[2]!] });
    notifier.notify([group]);
    expect(peers[2]!.sent).toHaveLength(1);
    notifier.stop();
    db.close();
  });
});

describe('ConversationNotifier: patches (section 7a)', () => {
  type Patches = { ids: string[]; items: Record<string, Record<string, unknown>> };
  const payloadOf = (frame: string): Patches => decodeFrame(frame).payload as Patches;

  it('a message patches every member with one shared frame of latestSeq and updatedAt, never the member list', () => {
    const { db, seeder, users, notifier, peers } = setup();
    const group = seeder.conversation({ memberIds: users, kind: 'group' });
    seeder.messages(group, [{ senderId: users[0]!, body: 'x' }], 1234);
    const pass = notifier.patches();
    notifier.latestMoved([group], pass);
    pass.send();
    expect(peers.map((p) => p.sent.length)).toEqual([1, 1, 1, 1]);
    // One encoded string for everyone.
    expect(new Set(peers.map((p) => p.sent[0])).size).toBe(1);
    expect(payloadOf(peers[0]!.sent[0]!).items).toEqual({ [group]: { id: group, latestSeq: 1, updatedAt: 1234 } });
    db.close();
  });

  it('merges one user\'s patches of one conversation into one item, and keeps the shared frame for the others', () => {
    const { db, seeder, users, notifier, peers } = setup();
    const group = seeder.conversation({ memberIds: users, kind: 'group' });
    seeder.messages(group, [{ senderId: users[0]!, body: 'x' }], 99);
    const pass = notifier.patches();
    notifier.latestMoved([group], pass);
    pass.add([users[1]!], { id: group, myDeliveredSeq: 1, myReadSeq: 0 });
    pass.send();
    expect(payloadOf(peers[1]!.sent[0]!).items[group]).toEqual({ id: group, latestSeq: 1, updatedAt: 99, myDeliveredSeq: 1, myReadSeq: 0 });
    expect(peers[0]!.sent[0]).toBe(peers[2]!.sent[0]);
    expect(payloadOf(peers[0]!.sent[0]!).items[group]).toEqual({ id: group, latestSeq: 1, updatedAt: 99 });
    db.close();
  });

  it('holds a large group\'s latestSeq patches to one per interval, sent with the latestSeq then', async () => {
    const { db, seeder, users, notifier, peers } = setup({ members: 3, intervalMs: 150 });
    const group = seeder.conversation({ memberIds: users, kind: 'group' });
    const send = (): void => {
      const pass = notifier.patches();
      notifier.latestMoved([group], pass);
      pass.send();
    };
    seeder.messages(group, [{ senderId: users[0]!, body: 'a' }]);
    send();
    for (let i = 0; i < 3; i++) {
      seeder.messages(group, [{ senderId: users[0]!, body: `b${i}` }]);
      send();
    }
    expect(peers.map((p) => p.sent.length)).toEqual([1, 1, 1, 1]);
    await new Promise((r) => setTimeout(r, 250));
    expect(peers.map((p) => p.sent.length)).toEqual([2, 2, 2, 2]);
    expect(payloadOf(peers[3]!.sent[1]!).items[group]).toMatchObject({ latestSeq: 4 });
    expect(payloadOf(peers[3]!.sent[1]!).items[group]).not.toHaveProperty('memberIds');
    notifier.stop();
    db.close();
  });

  it('full entries differ per caller: each member\'s own positions and the lowest of the others', () => {
    const { db, seeder, users, notifier, peers, storage } = setup();
    const [a, b, c] = users as [string, string, string];
    const group = seeder.conversation({ memberIds: [a, b, c], kind: 'group', createdBy: b });
    seeder.messages(group, [{ senderId: a, body: 'x' }, { senderId: a, body: 'y' }]);
    storage.conversations.get(group); // cached, so that the commit below moves it (the writer stores it; here only the cache is told)
    storage.conversations.committed(new Map(), 0, [{ conversationId: group, userId: b, deliveredSeq: 2, readSeq: 1 }]);
    notifier.notify([group]);
    const entry = (i: number): Record<string, unknown> => payloadOf(peers[i]!.sent[0]!).items[group]!;
    expect(entry(0)).toMatchObject({ ownerId: b, myDeliveredSeq: 0, myReadSeq: 0, deliveredToAllSeq: 0, readByAllSeq: 0 });
    expect(entry(1)).toMatchObject({ ownerId: b, myDeliveredSeq: 2, myReadSeq: 1, deliveredToAllSeq: 0, readByAllSeq: 0 });
    expect(entry(0).members).toEqual({ [a]: { joinedSeq: 1 }, [b]: { joinedSeq: 1 }, [c]: { joinedSeq: 1 } });
    // a and c see the same numbers: one encoded frame.
    expect(peers[0]!.sent[0]).toBe(peers[2]!.sent[0]);
    db.close();
  });
});

describe('notifications through an outbox', () => {
  it('cork each written socket once for the pass and uncork it when the outbox is sent', () => {
    const { db, seeder, users, hub, notifier, peers } = setup();
    const conv = seeder.conversation({ memberIds: [users[0]!, users[1]!] });
    const reader = fakePeer(9);
    hub.subscribe(reader, `messages:${conv}`);
    hub.subscribe(peers[0]!, `messages:${conv}`);
    const out = new Outbox();
    hub.notifyChanged([`messages:${conv}`], { resource: `messages:${conv}`, version: 1, ids: ['m1'] }, null, out);
    notifier.notify([conv], out);
    expect(peers[0]!.sent).toHaveLength(2);
    expect(peers[0]!.uncorks).toBe(0);
    out.send();
    expect([peers[0]!.corks, peers[0]!.uncorks]).toEqual([1, 1]);
    expect([peers[1]!.corks, peers[1]!.uncorks, peers[1]!.sent.length]).toEqual([1, 1, 1]);
    expect([reader.corks, reader.uncorks]).toEqual([1, 1]);
    expect([peers[2]!.corks, peers[2]!.sent.length]).toEqual([0, 0]);
    db.close();
  });
});

describe('membership cache', () => {
  it('answers from memory, never caches a missing conversation, and is dropped by seeding and clearing', () => {
    const { db, storage, seeder, users } = setup();
    const repo = storage.conversations;
    expect(repo.isMember('c_later', users[0]!)).toBe(false);
    seeder.conversation({ id: 'c_later', memberIds: [users[0]!, users[1]!] });
    expect(repo.isMember('c_later', users[0]!)).toBe(true);
    expect(repo.isMember('c_later', users[2]!)).toBe(false);
    // Answered from the cache: a row deleted behind the repository's back is still seen...
    db.prepare('DELETE FROM members WHERE conversation_id = ?').run('c_later');
    expect(repo.isMember('c_later', users[0]!)).toBe(true);
    // ...until the cache is told (the Seeder does so on clear, the server on reset).
    seeder.clear();
    expect(repo.isMember('c_later', users[0]!)).toBe(false);
    db.close();
  });

  it('sees the members of a conversation created through the repository at once', () => {
    const { db, storage, users } = setup();
    const repo = storage.conversations;
    expect(repo.isMember('c_new', users[2]!)).toBe(false);
    repo.create({ id: 'c_new', kind: 'group', title: 't', directKey: null, createdBy: users[0]!, memberIds: [users[0]!, users[1]!, users[2]!], now: 1 });
    expect(repo.isMember('c_new', users[2]!)).toBe(true);
    expect(repo.memberIds('c_new').sort()).toEqual([users[0]!, users[1]!, users[2]!].sort());
    db.close();
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase, type Db } from './database';
import { MessageWriter, type BatchWriter, type ReceiptRequest, type SendRequest } from './message-writer';
import { Seeder } from './seed';
import { ThreadMessageWriter, startWriterThread } from './thread-writer';

/**
 * The contract of `BatchWriter`, once, against both writers: the in-process
 * one (':memory:' servers: tests, mock mode, the e2e suites) and the thread
 * (every database file). Both run here on a database file, so the same
 * assertions read the rows through a second connection.
 */
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function fileDb(): { db: Db; path: string; conv: string; other: string; a: string; b: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-writer-contract-'));
  dirs.push(dir);
  const path = join(dir, 'db.sqlite');
  const db = openDatabase(path, 'normal');
  const seeder = new Seeder(db);
  const [a, b] = seeder.users([{ username: 'aaa', passwordHash: 'x' }, { username: 'bbb', passwordHash: 'x' }]) as [string, string];
  return { db, path, conv: seeder.conversation({ memberIds: [a, b] }), other: seeder.conversation({ memberIds: [a, b], kind: 'group' }), a, b };
}

const WRITERS: Record<string, (path: string, db: Db) => BatchWriter> = {
  'in-process': (_path, db) => new MessageWriter(db),
  thread: (path) => new ThreadMessageWriter(() => startWriterThread({ path, durability: 'normal', autocheckpointPages: 4000, checkpointerMs: 10 })),
};

const send = (conversationId: string, senderId: string, clientMessageId: string, body = clientMessageId): SendRequest => ({ conversationId, senderId, clientMessageId, body });
const receipt = (conversationId: string, userId: string, seq: number, read: boolean): ReceiptRequest => ({ conversationId, userId, seq, read });

describe.each(Object.keys(WRITERS))('the %s writer', (kind) => {
  const open = (path: string, db: Db) => WRITERS[kind]!(path, db);

  it('commits a batch in one transaction: gap-free seqs, resends within it answered with the original, stored before it resolves', async () => {
    const { db, path, conv, a, b } = fileDb();
    const writer = open(path, db);
    const count = db.prepare('SELECT COUNT(*) FROM messages').pluck();
    const committed = await writer.commit({ entries: [send(conv, a, 'x', 'one'), send(conv, b, 'x', 'two'), send(conv, a, 'x', 'one again'), send(conv, a, 'y', 'three')], receipts: [] });
    // Read through the test's own connection: committed, not just written.
    expect(count.get()).toBe(3);
    expect(committed.entries.map((r) => [r.entry!.seq, r.duplicate])).toEqual([[1, false], [2, false], [1, true], [3, false]]);
    expect(committed.entries[2]!.entry).toEqual(committed.entries[0]!.entry);
    expect(committed.entries[0]!.entry).toMatchObject({ conversationId: conv, senderId: a, clientMessageId: 'x', body: 'one', sentAt: committed.updatedAt });
    expect(committed.latestSeq).toEqual(new Map([[conv, 3]]));
    expect(committed.seconds).toBeGreaterThanOrEqual(0);
    await writer.close();
    closeDatabase(db);
  });

  it('answers a resend stored by an earlier batch with the ORIGINAL, in any conversation, storing nothing and leaving no gap', async () => {
    const { db, path, conv, other, a, b } = fileDb();
    const writer = open(path, db);
    const first = (await writer.commit({ entries: [send(conv, a, 'k', 'original')], receipts: [] })).entries[0]!;
    const [before, again, elsewhere, after] = (
      await writer.commit({ entries: [send(conv, b, 'k', 'b own'), send(conv, a, 'k', 'changed'), send(other, a, 'k', 'elsewhere'), send(conv, a, 'k2', 'new')], receipts: [] })
    ).entries as [typeof first, typeof first, typeof first, typeof first];
    expect(again).toEqual({ duplicate: true, entry: first.entry, target: null, error: null });
    expect(elsewhere).toEqual({ duplicate: true, entry: first.entry, target: null, error: null });
    expect([before.entry!.seq, after.entry!.seq]).toEqual([2, 3]);
    expect(db.prepare('SELECT seq FROM messages WHERE conversation_id = ? ORDER BY seq').pluck().all(conv)).toEqual([1, 2, 3]);
    expect(db.prepare('SELECT latest_seq FROM conversations WHERE id = ?').pluck().get(other)).toBe(0);
    await writer.close();
    closeDatabase(db);
  });

  it('writes receipts after the batch\'s messages, clamped to latestSeq, only forward (MAX), read implying delivered', async () => {
    const { db, path, conv, a, b } = fileDb();
    const writer = open(path, db);
    const positions = (user: string) => db.prepare('SELECT delivered_seq, read_seq FROM members WHERE conversation_id = ? AND user_id = ?').raw().get(conv, user);
    const batch = await writer.commit({
      entries: [send(conv, a, '1'), send(conv, a, '2'), send(conv, a, '3')],
      receipts: [
        receipt(conv, b, 2, false),
        receipt(conv, b, 10, true), // past latestSeq: clamped to 3 (this batch's messages count)
        receipt(conv, b, 1, true), // lower: nothing moves back
        receipt(conv, b, 3, false),
      ],
    });
    expect(batch.receipts).toEqual([
      { deliveredSeq: 2, readSeq: 0, changed: true },
      { deliveredSeq: 3, readSeq: 3, changed: true },
      { deliveredSeq: 3, readSeq: 3, changed: false },
      { deliveredSeq: 3, readSeq: 3, changed: false },
    ]);
    expect(batch.positions).toEqual([
      { conversationId: conv, userId: b, deliveredSeq: 2, readSeq: 0 },
      { conversationId: conv, userId: b, deliveredSeq: 3, readSeq: 3 },
    ]);
    expect(positions(b)).toEqual([3, 3]);
    // Consecutive batches: a lower receipt later leaves them; a's own delivered moves alone.
    expect((await writer.commit({ entries: [], receipts: [receipt(conv, b, 2, true)] })).receipts).toEqual([{ deliveredSeq: 3, readSeq: 3, changed: false }]);
    expect((await writer.commit({ entries: [], receipts: [receipt(conv, a, 2, false)] })).receipts).toEqual([{ deliveredSeq: 2, readSeq: 0, changed: true }]);
    expect([positions(b), positions(a)]).toEqual([[3, 3], [2, 0]]);
    await writer.close();
    closeDatabase(db);
  });

  it('rejects a batch SQLite refuses with SQLite\'s code, and stores none of it, its receipts included', async () => {
    const { db, path, conv, a, b } = fileDb();
    const writer = open(path, db);
    await writer.commit({ entries: [send(conv, a, 'first')], receipts: [] });
    // A send without a body (the table's NOT NULL): the whole transaction is rolled back.
    const bad = { ...send(conv, a, 'bad'), body: null as unknown as string };
    await expect(writer.commit({ entries: [send(conv, a, 'fine-1'), bad, send(conv, a, 'fine-2')], receipts: [receipt(conv, b, 1, true)] })).rejects.toMatchObject({
      code: 'SQLITE_CONSTRAINT_NOTNULL',
    });
    expect(db.prepare('SELECT client_message_id FROM messages').pluck().all()).toEqual(['first']);
    expect(db.prepare('SELECT delivered_seq, read_seq FROM members WHERE conversation_id = ? AND user_id = ?').raw().get(conv, b)).toEqual([0, 0]);
    // And writes on: the next batch takes the next seq.
    expect((await writer.commit({ entries: [send(conv, a, 'fine-1')], receipts: [] })).entries[0]!.entry!.seq).toBe(2);
    await writer.close();
    closeDatabase(db);
  });

  it('settles every batch handed in before close resolves', async () => {
    const { db, path, conv, a } = fileDb();
    const writer = open(path, db);
    const batches = Array.from({ length: 5 }, (_, i) => writer.commit({ entries: Array.from({ length: 10 }, (_, j) => send(conv, a, `p${i}-${j}`)), receipts: [] }));
    await writer.close();
    await writer.close();
    expect((await Promise.all(batches)).flatMap((b) => b.entries.map((s) => s.entry!.seq))).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(db.prepare('SELECT COUNT(*) FROM messages').pluck().get()).toBe(50);
    closeDatabase(db);
  });
});

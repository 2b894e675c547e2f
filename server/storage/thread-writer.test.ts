import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { directPair, startTestServer } from '../test/harness';
import { closeDatabase, openDatabase, type Db } from './database';
import { MessageWriter, type CommittedBatch, type SendResult, type SendWriter } from './message-writer';
import { Seeder } from './seed';
import { ThreadMessageWriter } from './thread-writer';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function fileDb(): { db: Db; path: string; conv: string; a: string; b: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-thread-writer-'));
  dirs.push(dir);
  const path = join(dir, 'db.sqlite');
  const db = openDatabase(path, 'normal');
  db.pragma('wal_autocheckpoint = 0');
  const seeder = new Seeder(db);
  const [a, b] = seeder.users([{ username: 'aaa', passwordHash: 'x' }, { username: 'bbb', passwordHash: 'x' }]) as [string, string];
  return { db, path, conv: seeder.conversation({ memberIds: [a, b] }), a, b };
}

/** A server on a database file of its own (so with the writer thread), closed after `run`. */
async function withFileServer(run: (server: Awaited<ReturnType<typeof startTestServer>>) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-file-server-'));
  dirs.push(dir);
  const server = await startTestServer({ dbPath: join(dir, 'db.sqlite') });
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

/**
 * How many times the WAL has been started over from its beginning: the
 * checkpoint sequence number in its header (bytes 12-15, big-endian), which
 * SQLite increments at each rewind. A WAL that grows without bound never
 * rewinds; counting rewinds shows the bound without racing the threads'
 * scheduling (a file-size limit did: the checkpointer thread starved on a
 * loaded machine let the WAL pass any fixed size between two of its ticks).
 */
function walRewinds(path: string): number {
  const fd = openSync(`${path}-wal`, 'r');
  try {
    const header = Buffer.alloc(16);
    return readSync(fd, header, 0, 16, 0) === 16 ? header.readUInt32BE(12) : 0;
  } finally {
    closeSync(fd);
  }
}

// checkpointerMs 0: the writer thread's own checkpoints; 10: with a checkpointer thread (short ticks for these short runs).
describe.each([0, 10])('ThreadMessageWriter (group commit on a worker thread), checkpointerMs %i', (checkpointerMs) => {
  it('tells onCommitted, then answers the senders, only once the rows are committed (visible to another connection)', async () => {
    const { db, path, conv, a, b } = fileDb();
    const events: string[] = [];
    const count = db.prepare('SELECT COUNT(*) FROM messages').pluck();
    const writer = new ThreadMessageWriter({
      path,
      durability: 'normal',
      autocheckpointPages: 4000, checkpointerMs,
      onCommitted: (batch: CommittedBatch, _s, size) => events.push(`committed ${size}: ${batch.created.length} created, ${count.get()} stored, latest ${batch.latestSeq.get(conv)}`),
    });
    const sends = [
      writer.submit({ conversationId: conv, senderId: a, clientMessageId: 'x', body: 'one' }),
      writer.submit({ conversationId: conv, senderId: b, clientMessageId: 'x', body: 'two' }),
      writer.submit({ conversationId: conv, senderId: a, clientMessageId: 'x', body: 'one again' }),
    ].map((p) => p.then((r: SendResult) => (events.push(`ack ${r.message.seq} ${r.duplicate} (${count.get()} stored)`), r)));
    const results = await Promise.all(sends);
    expect(events).toEqual(['committed 3: 2 created, 2 stored, latest 2', 'ack 1 false (2 stored)', 'ack 2 false (2 stored)', 'ack 1 true (2 stored)']);
    expect(results[2]).toEqual({ duplicate: true, message: results[0]!.message });
    // A resend in a later batch: the original, nothing stored, seqs stay gap-free.
    const again = await writer.submit({ conversationId: conv, senderId: b, clientMessageId: 'x', body: 'changed' });
    const next = await writer.submit({ conversationId: conv, senderId: b, clientMessageId: 'y', body: 'three' });
    expect(again).toEqual({ duplicate: true, message: results[1]!.message });
    expect(next.message.seq).toBe(3);
    await writer.close();
    expect(db.prepare('SELECT seq FROM messages ORDER BY seq').pluck().all()).toEqual([1, 2, 3]);
    closeDatabase(db);
  });

  it('keeps the WAL bounded under sustained writes, with the main connection writing in between, and truncates it on close', async () => {
    const { db, path, conv, a } = fileDb();
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const pages = 200;
    const writer = new ThreadMessageWriter({ path, durability: 'normal', autocheckpointPages: pages, checkpointerMs, onCommitted: () => undefined });
    const touch = db.prepare('UPDATE users SET display_name = ? WHERE id = ?');
    let largest = 0;
    for (let round = 0; round < 120; round++) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          writer.submit({ conversationId: conv, senderId: a, clientMessageId: `${round}-${i}`, body: 'x'.repeat(300) }),
        ),
      );
      touch.run(`name ${round}`, a); // a main-thread write between the thread's (waits on busy_timeout, never SQLITE_BUSY)
      largest = Math.max(largest, statSync(`${path}-wal`).size);
    }
    expect(db.prepare('SELECT COUNT(*) FROM messages').pluck().get()).toBe(12_000);
    // 12,000 messages of 300 bytes wrote far more than the WAL ever held (over 4 MB into the table
    // alone): it was started over again and again (15 times here without the checkpointer thread).
    if (checkpointerMs === 0) {
      // The writer's own checkpoint runs in its COMMIT, on its thread: the bound is exact.
      expect(walRewinds(path)).toBeGreaterThanOrEqual(5);
      expect(largest).toBeLessThan((pages + 300) * pageSize);
    } else {
      // With the checkpointer thread, the writer's own checkpoint is a backstop at 4 x pages, skipped
      // while a pass of the checkpointer holds the checkpoint lock: how far the WAL gets past it then
      // depends on how the threads are scheduled, so this counts rewinds (2-3 here) instead of
      // bounding the size. That the checkpointer keeps the WAL near its threshold is the next test's,
      // and bench/writer-latency.ts's (docs/BENCHMARKS.md: 19-25 MiB at 4,000 pages, backstop 64 MiB).
      expect(walRewinds(path)).toBeGreaterThanOrEqual(1);
    }
    await writer.close();
    expect(statSync(`${path}-wal`).size).toBe(0);
    closeDatabase(db);
  });

  it('fails the senders of a batch with a code when the thread dies inside its transaction, and writes on with a new thread', async () => {
    const { db, path, conv, a } = fileDb();
    let lost = 0;
    const errors: unknown[] = [];
    const writer = new ThreadMessageWriter({ path, durability: 'normal', autocheckpointPages: 4000, checkpointerMs, onCommitted: () => undefined, onLost: () => lost++, onThreadError: (e) => errors.push(e) });
    expect((await writer.submit({ conversationId: conv, senderId: a, clientMessageId: 'first', body: 'one' })).message.seq).toBe(1);
    writer.crashNextCommitForTest();
    const doomed = await Promise.allSettled([
      writer.submit({ conversationId: conv, senderId: a, clientMessageId: 'lost-1', body: 'two' }),
      writer.submit({ conversationId: conv, senderId: a, clientMessageId: 'lost-2', body: 'three' }),
      writer.receipt({ conversationId: conv, userId: a, seq: 1, read: true }),
    ]);
    expect(doomed.map((r) => r.status === 'rejected' && (r.reason as { code?: string }).code)).toEqual(['WRITER_THREAD_EXITED', 'WRITER_THREAD_EXITED', 'WRITER_THREAD_EXITED']);
    expect(db.prepare('SELECT read_seq FROM members WHERE user_id = ?').pluck().get(a)).toBe(0);
    expect(lost).toBe(1);
    expect(errors.length).toBeGreaterThan(0);
    // The retry is stored by the new thread, with the next seq: the dead transaction left no trace and no lock.
    const retry = await writer.submit({ conversationId: conv, senderId: a, clientMessageId: 'lost-1', body: 'two' });
    expect(retry).toMatchObject({ duplicate: false, message: { seq: 2 } });
    await writer.close();
    expect(db.prepare('SELECT client_message_id FROM messages ORDER BY seq').pluck().all()).toEqual(['first', 'lost-1']);
    closeDatabase(db);
  });

  it('gives up after repeated deaths: every send is refused at once with the code, none hangs', async () => {
    const { db, path, conv, a } = fileDb();
    const writer = new ThreadMessageWriter({ path, durability: 'normal', autocheckpointPages: 4000, checkpointerMs, onCommitted: () => undefined });
    for (let i = 0; i < 4; i++) {
      writer.crashNextCommitForTest();
      await expect(writer.submit({ conversationId: conv, senderId: a, clientMessageId: `c${i}`, body: 'x' })).rejects.toMatchObject({ code: 'WRITER_THREAD_EXITED' });
    }
    await expect(writer.submit({ conversationId: conv, senderId: a, clientMessageId: 'after', body: 'x' })).rejects.toMatchObject({ code: 'WRITER_THREAD_EXITED' });
    await expect(writer.receipt({ conversationId: conv, userId: a, seq: 1, read: false })).rejects.toMatchObject({ code: 'WRITER_THREAD_EXITED' });
    await writer.close();
    expect(db.prepare('SELECT COUNT(*) FROM messages').pluck().get()).toBe(0);
    closeDatabase(db);
  });

  it('commits what is pending on close, receipts included', async () => {
    const { db, path, conv, a, b } = fileDb();
    const writer = new ThreadMessageWriter({ path, durability: 'normal', autocheckpointPages: 4000, checkpointerMs, onCommitted: () => undefined });
    const sends = Array.from({ length: 50 }, (_, i) => writer.submit({ conversationId: conv, senderId: a, clientMessageId: `p${i}`, body: 'x' }));
    const receipt = writer.receipt({ conversationId: conv, userId: b, seq: 40, read: true });
    await writer.close();
    expect((await Promise.all(sends)).map((r) => r.message.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await receipt).toEqual({ deliveredSeq: 40, readSeq: 40, changed: true });
    expect(db.prepare('SELECT COUNT(*) FROM messages').pluck().get()).toBe(50);
    expect(db.prepare('SELECT delivered_seq, read_seq FROM members WHERE user_id = ?').raw().get(b)).toEqual([40, 40]);
    closeDatabase(db);
  });
});

// Receipts through the writer: the in-process writer (':memory:' servers; here on the file too) and the thread.
describe.each(['in-process', 'thread'])('receipts through the %s writer', (kind) => {
  function writerFor(path: string, db: Db, onCommitted: (batch: CommittedBatch) => void): SendWriter {
    return kind === 'thread'
      ? new ThreadMessageWriter({ path, durability: 'normal', autocheckpointPages: 4000, checkpointerMs: 10, onCommitted })
      : new MessageWriter(db, onCommitted);
  }
  const positions = (db: Db, user: string) => db.prepare('SELECT delivered_seq, read_seq FROM members WHERE user_id = ?').raw().get(user);

  it('writes them in the batch of their turn after its messages, clamped to latestSeq, only forward (MAX), read implying delivered', async () => {
    const { db, path, conv, a, b } = fileDb();
    const batches: CommittedBatch[] = [];
    const writer = writerFor(path, db, (batch) => batches.push(batch));
    // One turn: three sends and four receipts of b (interleaved): one batch, one transaction.
    const send = (id: string) => writer.submit({ conversationId: conv, senderId: a, clientMessageId: id, body: id });
    const [, r1, , r2, , r3, r4] = await Promise.all([
      send('1'),
      writer.receipt({ conversationId: conv, userId: b, seq: 2, read: false }),
      send('2'),
      writer.receipt({ conversationId: conv, userId: b, seq: 10, read: true }), // past latestSeq: clamped to 3 (this batch's messages count)
      send('3'),
      writer.receipt({ conversationId: conv, userId: b, seq: 1, read: true }), // lower: nothing moves back
      writer.receipt({ conversationId: conv, userId: b, seq: 3, read: false }),
    ]);
    expect(batches).toHaveLength(1);
    expect([r1, r2, r3, r4]).toEqual([
      { deliveredSeq: 2, readSeq: 0, changed: true },
      { deliveredSeq: 3, readSeq: 3, changed: true },
      { deliveredSeq: 3, readSeq: 3, changed: false },
      { deliveredSeq: 3, readSeq: 3, changed: false },
    ]);
    expect(batches[0]!.positions).toEqual([
      { conversationId: conv, userId: b, deliveredSeq: 2, readSeq: 0 },
      { conversationId: conv, userId: b, deliveredSeq: 3, readSeq: 3 },
    ]);
    expect(positions(db, b)).toEqual([3, 3]);
    // Consecutive batches: a lower receipt later leaves them; a's own delivered moves alone.
    expect(await writer.receipt({ conversationId: conv, userId: b, seq: 2, read: true })).toEqual({ deliveredSeq: 3, readSeq: 3, changed: false });
    expect(await writer.receipt({ conversationId: conv, userId: a, seq: 2, read: false })).toEqual({ deliveredSeq: 2, readSeq: 0, changed: true });
    expect(positions(db, b)).toEqual([3, 3]);
    expect(positions(db, a)).toEqual([2, 0]);
    await writer.close();
    closeDatabase(db);
  });

  it('fails the receipts of a failed batch with SQLite\'s code, as its sends, and stores none of it', async () => {
    const { db, path, conv, a, b } = fileDb();
    const writer = writerFor(path, db, () => undefined);
    await writer.submit({ conversationId: conv, senderId: a, clientMessageId: 'first', body: 'x' });
    // The disk suite's way to a full disk: no page may be added.
    const pages = (await writer.pragma('page_count', true)) as number;
    await writer.pragma(`max_page_count = ${pages}`);
    const settled = await Promise.allSettled([
      ...Array.from({ length: 200 }, (_, i) => writer.submit({ conversationId: conv, senderId: a, clientMessageId: `big-${i}`, body: 'y'.repeat(2000) })),
      writer.receipt({ conversationId: conv, userId: b, seq: 1, read: true }),
    ]);
    expect(new Set(settled.map((r) => r.status === 'rejected' && (r.reason as { code?: string }).code))).toEqual(new Set(['SQLITE_FULL']));
    expect(positions(db, b)).toEqual([0, 0]);
    await writer.close();
    closeDatabase(db);
  });
});

describe('the server with a database file', () => {
  it('keeps answering pings and reads while a commit is stalled on the writer thread, and acks that send only after its commit', async () => {
    await withFileServer(async (server) => {
      const { ann, ben, conv } = await directPair(server);
      await ann.call('SendMessageCommand', { conversationId: conv, clientMessageId: 'before', body: 'before' }, 'SendMessageResponse');
      (server.writer as ThreadMessageWriter).stallNextCommitForTest(1500);
      const order: string[] = [];
      const send = ann.request('SendMessageCommand', { conversationId: conv, clientMessageId: 'stalled', body: 'stalled' }, 10_000).then((f) => order.push(f.name));
      // With the commit on the event loop these would wait behind it; now they are answered during the stall.
      for (let i = 0; i < 3; i++) {
        await ann.call('PingCommand', { t: i }, 'PongResponse');
        order.push('PongResponse');
      }
      const page = await ben.call('GetMessagesCommand', { conversationId: conv }, 'MessagesResponse');
      order.push(`MessagesResponse ${Object.keys(page.messages).length}`);
      await send;
      expect(order).toEqual(['PongResponse', 'PongResponse', 'PongResponse', 'MessagesResponse 1', 'SendMessageResponse']);
      expect(server.db.prepare("SELECT COUNT(*) FROM messages WHERE client_message_id = 'stalled'").pluck().get()).toBe(1);
      ann.ws.close();
      ben.ws.close();
    });
  });
});

describe('receipts on the server with a database file', () => {
  it('are answered only after their commit, behind a stalled batch, while pings are answered meanwhile', async () => {
    await withFileServer(async (server) => {
      const { ann, ben, conv, ids } = await directPair(server);
      await ann.call('SendMessageCommand', { conversationId: conv, clientMessageId: 'before', body: 'before' }, 'SendMessageResponse');
      const readSeq = server.db.prepare('SELECT read_seq FROM members WHERE conversation_id = ? AND user_id = ?').pluck();
      (server.writer as ThreadMessageWriter).stallNextCommitForTest(1500);
      const order: string[] = [];
      const send = ann.request('SendMessageCommand', { conversationId: conv, clientMessageId: 'stalled', body: 'stalled' }, 10_000).then((f) => order.push(f.name));
      await ann.call('PingCommand', { t: 0 }, 'PongResponse'); // the send is on the thread, stalled in its transaction
      // Before, this UPDATE ran on the main connection and waited in SQLite's busy handler, on the event loop.
      const read = ben.request('MarkReadCommand', { conversationId: conv, seq: 1 }, 10_000).then((f) => {
        order.push(`${f.name} ${(f.payload as { seq: number }).seq} (stored ${String(readSeq.get(conv, ids['ben']))})`);
      });
      for (let i = 1; i < 4; i++) {
        await ben.call('PingCommand', { t: i }, 'PongResponse');
        order.push('PongResponse');
      }
      await Promise.all([send, read]);
      expect(order).toEqual(['PongResponse', 'PongResponse', 'PongResponse', 'SendMessageResponse', 'MarkReadResponse 1 (stored 1)']);
      ann.ws.close();
      ben.ws.close();
    });
  });

  it('answer with the position after (pipelined ones: the max), write nothing when nothing moves, and answer INTERNAL when the thread dies', async () => {
    await withFileServer(async (server) => {
      const { ann, ben, conv, ids } = await directPair(server);
      for (let i = 0; i < 3; i++) await ann.call('SendMessageCommand', { conversationId: conv, clientMessageId: `m${i}`, body: 'x' }, 'SendMessageResponse');
      const writer = server.writer as ThreadMessageWriter;
      let written = 0;
      const receipt = writer.receipt.bind(writer);
      writer.receipt = (r) => (written++, receipt(r));
      // Pipelined from one socket, one batch: read 2, then delivered 1 (answered 2, never back), then read 9 (clamped to 3).
      const [read, ack, far] = await Promise.all([
        ben.call('MarkReadCommand', { conversationId: conv, seq: 2 }, 'MarkReadResponse'),
        ben.call('AckMessagesCommand', { conversationId: conv, seq: 1 }, 'AckMessagesResponse'),
        ben.call('MarkReadCommand', { conversationId: conv, seq: 9 }, 'MarkReadResponse'),
      ]);
      expect([read.seq, ack.seq, far.seq]).toEqual([2, 2, 3]);
      // (The ack is written too when it arrived in the read's turn; answered from the cache when after its commit.)
      expect(written).toBeGreaterThanOrEqual(2);
      const writtenBefore = written;
      // Nothing to move: answered from the cache, no write.
      expect((await ben.call('AckMessagesCommand', { conversationId: conv, seq: 0 }, 'AckMessagesResponse')).seq).toBe(3);
      expect((await ben.call('MarkReadCommand', { conversationId: conv, seq: 3 }, 'MarkReadResponse')).seq).toBe(3);
      expect(written).toBe(writtenBefore);
      // The thread dies inside the receipt's transaction: INTERNAL, as for a send; nothing stored.
      writer.crashNextCommitForTest();
      await ann.call('PingCommand', { t: 1 }, 'PongResponse'); // the hook reached the thread
      const lost = await ann.fail('AckMessagesCommand', { conversationId: conv, seq: 3 });
      expect(lost.code).toBe('INTERNAL');
      expect(server.db.prepare('SELECT delivered_seq FROM members WHERE conversation_id = ? AND user_id = ?').pluck().get(conv, ids['ann'])).toBe(0);
      ann.ws.close();
      ben.ws.close();
    });
  });

  it('leave the entry cache equal to the database after mixed sends and receipts of both members', async () => {
    await withFileServer(async (server) => {
      const { ann, ben, conv, ids } = await directPair(server);
      const repo = server.storage.conversations;
      for (let round = 0; round < 5; round++) {
        repo.get(conv);
        // Sends and receipts (some past latestSeq, some behind) of both members, pipelined: batches mix them.
        const replies = await Promise.all([
          ann.call('SendMessageCommand', { conversationId: conv, clientMessageId: `a${round}`, body: 'a' }, 'SendMessageResponse'),
          ben.call('AckMessagesCommand', { conversationId: conv, seq: 2 * round + 1 }, 'AckMessagesResponse'),
          ben.call('SendMessageCommand', { conversationId: conv, clientMessageId: `b${round}`, body: 'b' }, 'SendMessageResponse'),
          ben.call('MarkReadCommand', { conversationId: conv, seq: 2 * round + 5 }, 'MarkReadResponse'),
          ann.call('MarkReadCommand', { conversationId: conv, seq: round }, 'MarkReadResponse'),
          ann.call('AckMessagesCommand', { conversationId: conv, seq: 2 * round + 2 }, 'AckMessagesResponse'),
        ]);
        const cached = structuredClone(repo.get(conv)!);
        repo.forgetCached(conv);
        const stored = repo.get(conv)!;
        expect(cached).toEqual(stored);
        for (const m of Object.values(stored.members)) {
          expect(m.readSeq).toBeLessThanOrEqual(m.deliveredSeq);
          expect(m.deliveredSeq).toBeLessThanOrEqual(stored.latestSeq);
        }
        // Each receipt's answer is a position it reached (never past what is stored now).
        expect((replies[3] as { seq: number }).seq).toBeLessThanOrEqual(stored.members[ids['ben']!]!.readSeq);
      }
      expect(repo.get(conv)!.latestSeq).toBe(10);
      ann.ws.close();
      ben.ws.close();
    });
  });
});

describe('ThreadMessageWriter after close', () => {
  it('refuses a send at once instead of queueing it for a thread that is gone', async () => {
    const { db, path, conv, a } = fileDb();
    const writer = new ThreadMessageWriter({ path, durability: 'normal', autocheckpointPages: 4000, checkpointerMs: 100, onCommitted: () => undefined });
    await writer.close();
    await expect(writer.submit({ conversationId: conv, senderId: a, clientMessageId: 'late', body: 'x' })).rejects.toMatchObject({ code: 'WRITER_CLOSED' });
    closeDatabase(db);
  });
});

describe('the checkpointer thread', () => {
  it('alone keeps the WAL bounded under sustained writes, receipts included: the writer pauses for its final pass, and the WAL rewinds', async () => {
    const { db, path, conv, a, b } = fileDb();
    const pages = 100;
    // No backstop: only the checkpointer's final passes can rewind the WAL.
    const writer = new ThreadMessageWriter({ path, durability: 'normal', autocheckpointPages: pages, checkpointerMs: 5, backstopPages: 0, idleCheckpointMs: 0, onCommitted: () => undefined });
    let round = 0;
    // Receipts all along, every millisecond, at times of their own, as the server writes them now: through
    // the writer, in its batches. (The same UPDATE on the main connection, landing during the final passes,
    // kept the WAL from rewinding: this test then saw 12-17 MB after a 4.5-5.5 MB warm-up, and
    // bench/writer-latency.ts 64-88 MiB, docs/BENCHMARKS.md.)
    const receipts: Promise<unknown>[] = [];
    let k = 0;
    const timer = setInterval(() => {
      k++;
      receipts.push(writer.receipt({ conversationId: conv, userId: b, seq: k, read: k % 2 === 0 }));
    }, 1);
    const writeUntil = async (finals: number): Promise<{ finals: number }> => {
      let done = 0;
      for (let i = 0; i < 20_000 && done < finals; i++, round++) {
        await Promise.all(
          Array.from({ length: 20 }, (_, j) => writer.submit({ conversationId: conv, senderId: a, clientMessageId: `${round}-${j}`, body: 'x'.repeat(300) })),
        );
        done = (await writer.statsForTest()).finals;
      }
      return { finals: done };
    };
    // Until the checkpointer thread is up and has made its first final pass (the WAL grows meanwhile).
    const warm = await writeUntil(1);
    expect(warm.finals).toBeGreaterThanOrEqual(1);
    // Then: it asks for a final pass only when the WAL holds >= 100 frames, so 40 passes mean at least
    // 4,000 pages through the WAL (16 MB, were it never rewound) ...
    const rewindsBefore = walRewinds(path);
    const run = await writeUntil(41);
    expect(run.finals).toBeGreaterThanOrEqual(41);
    // ... and the final passes started the WAL over (41-44 rewinds for 40 passes here; without the
    // writer's pause they never reached the end, and the WAL grew to 32-48 MB). Counted, not bounded
    // by size: a checkpointer thread starved on a loaded machine lets the WAL pass any fixed size
    // between two of its ticks (the file stays at its warm-up size, 1,400-2,400 pages, on an idle one).
    clearInterval(timer);
    expect(walRewinds(path) - rewindsBefore).toBeGreaterThanOrEqual(20);
    // The receipts were written, each clamped to latestSeq.
    const answers = (await Promise.all(receipts)) as { deliveredSeq: number }[];
    expect(answers.length).toBeGreaterThan(10);
    const latest = db.prepare('SELECT latest_seq FROM conversations WHERE id = ?').pluck().get(conv) as number;
    const delivered = db.prepare('SELECT delivered_seq FROM members WHERE user_id = ?').pluck().get(b);
    expect(delivered).toBe(Math.max(...answers.map((r) => r.deliveredSeq)));
    expect(delivered).toBeLessThanOrEqual(latest);
    await writer.close();
    closeDatabase(db);
  });
});

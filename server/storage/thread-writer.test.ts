import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerOptions } from '../config';
import { directPair, sleep, startTestServer } from '../test/harness';
import { closeDatabase, openDatabase, type Db } from './database';
import type { SendRequest, WriteBatch } from './message-writer';
import { Seeder } from './seed';
import { ThreadMessageWriter, startWriterThread, type WriterThreadOptions } from './thread-writer';

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
async function withFileServer(run: (server: Awaited<ReturnType<typeof startTestServer>>, path: string) => Promise<void>, options: ServerOptions = {}): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-file-server-'));
  dirs.push(dir);
  const path = join(dir, 'db.sqlite');
  const server = await startTestServer({ ...options, dbPath: path });
  try {
    await run(server, path);
  } finally {
    await server.close();
  }
}

/**
 * A stalled commit, for real: another connection holds the database's write
 * lock, so the writer thread's BEGIN IMMEDIATE waits (busy_timeout, 5 s)
 * until `release()` commits it.
 */
function holdWriteLock(path: string): { release(): void } {
  const other = new Database(path);
  other.exec('BEGIN IMMEDIATE');
  return {
    release() {
      other.exec('COMMIT');
      other.close();
    },
  };
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

/** Group commits so far, as /metrics reports them. */
async function commitCount(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^tidings_db_commit_batch_size_count (\d+)/m.exec(text)?.[1] ?? 'NaN');
}

/**
 * A whole writer thread of the test's own that dies on its first batch
 * (exit code 70), as a thread that crashes holding one does; it closes
 * like the real one.
 */
function dyingThread(): Worker {
  return new Worker(
    `const { parentPort } = require('node:worker_threads');
     parentPort.on('message', (m) => {
       if (m.t === 'batch') process.exit(70);
       if (m.t === 'close') { parentPort.postMessage({ n: m.n }); parentPort.close(); }
     });
     parentPort.postMessage({ t: 'ready' });`,
    { eval: true },
  );
}

const sends = (conversationId: string, senderId: string, prefix: string, n: number, body = 'x'): WriteBatch => ({
  entries: Array.from({ length: n }, (_, i): SendRequest => ({ conversationId, senderId, clientMessageId: `${prefix}-${i}`, body })),
  receipts: [],
});

// checkpointerMs 0: the writer thread's own checkpoints; 10: with a checkpointer thread (short ticks for these short runs).
describe.each([0, 10])('ThreadMessageWriter, checkpointerMs %i', (checkpointerMs) => {
  const options = (path: string, more: Partial<WriterThreadOptions> = {}): WriterThreadOptions => ({ path, durability: 'normal', autocheckpointPages: 4000, checkpointerMs, ...more });

  it('keeps the WAL bounded under sustained writes, with the main connection writing in between, and truncates it on close', async () => {
    const { db, path, conv, a } = fileDb();
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const pages = 200;
    const writer = new ThreadMessageWriter(() => startWriterThread(options(path, { autocheckpointPages: pages })));
    const touch = db.prepare('UPDATE users SET display_name = ? WHERE id = ?');
    let largest = 0;
    for (let round = 0; round < 120; round++) {
      await writer.commit(sends(conv, a, `${round}`, 100, 'x'.repeat(300)));
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
      // bounding the size. That the checkpointer keeps the WAL near its threshold is the last test's,
      // and bench/writer-latency.ts's (docs/BENCHMARKS.md: 19-25 MiB at 4,000 pages, backstop 64 MiB).
      expect(walRewinds(path)).toBeGreaterThanOrEqual(1);
    }
    await writer.close();
    expect(statSync(`${path}-wal`).size).toBe(0);
    closeDatabase(db);
  });

  it('rejects the batch a dying thread held with a code, tells onLost, and writes on with a new thread', async () => {
    const { db, path, conv, a, b } = fileDb();
    let lost = 0;
    const errors: unknown[] = [];
    const threads = [dyingThread, () => startWriterThread(options(path))];
    let started = 0;
    const writer = new ThreadMessageWriter(() => threads[Math.min(started++, 1)]!(), { onLost: () => lost++, onThreadError: (e) => errors.push(e) });
    await expect(writer.commit({ ...sends(conv, a, 'lost', 2), receipts: [{ conversationId: conv, userId: b, seq: 1, read: true }] })).rejects.toMatchObject({
      code: 'WRITER_THREAD_EXITED',
    });
    expect(lost).toBe(1);
    expect(errors).toContainEqual(expect.objectContaining({ code: 'WRITER_THREAD_EXITED' }));
    // The resend is stored by the new thread, with the first seq.
    expect((await writer.commit(sends(conv, a, 'lost', 1))).entries[0]).toMatchObject({ duplicate: false, entry: { seq: 1 } });
    expect(started).toBe(2);
    await writer.close();
    expect(db.prepare('SELECT client_message_id FROM messages ORDER BY seq').pluck().all()).toEqual(['lost-0']);
    closeDatabase(db);
  });

  it('gives up after repeated deaths: every batch is refused at once with the code, none hangs', async () => {
    const { db, conv, a } = fileDb();
    let started = 0;
    const writer = new ThreadMessageWriter(() => (started++, dyingThread()));
    for (let i = 0; i < 4; i++) await expect(writer.commit(sends(conv, a, `c${i}`, 1))).rejects.toMatchObject({ code: 'WRITER_THREAD_EXITED' });
    expect(started).toBe(4); // the first thread and three restarts
    await expect(writer.commit(sends(conv, a, 'after', 1))).rejects.toMatchObject({ code: 'WRITER_THREAD_EXITED' });
    expect(started).toBe(4);
    await writer.close();
    closeDatabase(db);
  });
});

describe('ThreadMessageWriter after close', () => {
  it('refuses a batch at once instead of handing it to a thread that is gone', async () => {
    const { db, path, conv, a } = fileDb();
    const writer = new ThreadMessageWriter(() => startWriterThread({ path, durability: 'normal', autocheckpointPages: 4000, checkpointerMs: 100 }));
    await writer.close();
    await expect(writer.commit(sends(conv, a, 'late', 1))).rejects.toMatchObject({ code: 'WRITER_CLOSED' });
    closeDatabase(db);
  });
});

describe('the server with a database file', () => {
  it('keeps answering pings and reads while a commit is stalled on the writer thread, and acks that send only after its commit', async () => {
    await withFileServer(async (server, path) => {
      const { ann, ben, conv } = await directPair(server);
      await ann.call('SendMessageCommand', { conversationId: conv, clientMessageId: 'before', body: 'before' }, 'SendMessageResponse');
      const lock = holdWriteLock(path);
      const order: string[] = [];
      const send = ann.request('SendMessageCommand', { conversationId: conv, clientMessageId: 'stalled', body: 'stalled' }, 10_000).then((f) => order.push(f.name));
      // With the commit on the event loop these would wait behind it; they are answered during the stall.
      for (let i = 0; i < 3; i++) {
        await ann.call('PingCommand', { t: i }, 'PongResponse');
        order.push('PongResponse');
      }
      const page = await ben.call('GetMessagesCommand', { conversationId: conv }, 'MessagesResponse');
      order.push(`MessagesResponse ${Object.keys(page.messages).length}`);
      lock.release();
      await send;
      expect(order).toEqual(['PongResponse', 'PongResponse', 'PongResponse', 'MessagesResponse 1', 'SendMessageResponse']);
      expect(server.db.prepare("SELECT COUNT(*) FROM messages WHERE client_message_id = 'stalled'").pluck().get()).toBe(1);
      ann.ws.close();
      ben.ws.close();
    });
  });

  it('answers receipts only after their commit, behind a stalled batch, while pings are answered meanwhile', async () => {
    await withFileServer(async (server, path) => {
      const { ann, ben, conv, ids } = await directPair(server);
      await ann.call('SendMessageCommand', { conversationId: conv, clientMessageId: 'before', body: 'before' }, 'SendMessageResponse');
      const readSeq = server.db.prepare('SELECT read_seq FROM members WHERE conversation_id = ? AND user_id = ?').pluck();
      const lock = holdWriteLock(path);
      const order: string[] = [];
      const send = ann.request('SendMessageCommand', { conversationId: conv, clientMessageId: 'stalled', body: 'stalled' }, 10_000).then((f) => order.push(f.name));
      await ann.call('PingCommand', { t: 0 }, 'PongResponse'); // the send is on the thread, waiting for the lock
      const read = ben.request('MarkReadCommand', { conversationId: conv, seq: 1 }, 10_000).then((f) => {
        order.push(`${f.name} ${(f.payload as { seq: number }).seq} (stored ${String(readSeq.get(conv, ids['ben']))})`);
      });
      for (let i = 1; i < 4; i++) {
        await ben.call('PingCommand', { t: i }, 'PongResponse');
        order.push('PongResponse');
      }
      lock.release();
      await Promise.all([send, read]);
      expect(order).toEqual(['PongResponse', 'PongResponse', 'PongResponse', 'SendMessageResponse', 'MarkReadResponse 1 (stored 1)']);
      ann.ws.close();
      ben.ws.close();
    });
  });

  it('answers receipts with the position after (pipelined ones: the max), and writes nothing when nothing moves', async () => {
    await withFileServer(async (server) => {
      const { ann, ben, conv } = await directPair(server);
      for (let i = 0; i < 3; i++) await ann.call('SendMessageCommand', { conversationId: conv, clientMessageId: `m${i}`, body: 'x' }, 'SendMessageResponse');
      // Pipelined from one socket, one batch: read 2, then delivered 1 (answered 2, never back), then read 9 (clamped to 3).
      const [read, ack, far] = await Promise.all([
        ben.call('MarkReadCommand', { conversationId: conv, seq: 2 }, 'MarkReadResponse'),
        ben.call('AckMessagesCommand', { conversationId: conv, seq: 1 }, 'AckMessagesResponse'),
        ben.call('MarkReadCommand', { conversationId: conv, seq: 9 }, 'MarkReadResponse'),
      ]);
      expect([read.seq, ack.seq, far.seq]).toEqual([2, 2, 3]);
      const commits = await commitCount(server.url);
      expect(commits).toBeGreaterThan(0);
      // Nothing to move: answered from the cache, no commit.
      expect((await ben.call('AckMessagesCommand', { conversationId: conv, seq: 0 }, 'AckMessagesResponse')).seq).toBe(3);
      expect((await ben.call('MarkReadCommand', { conversationId: conv, seq: 3 }, 'MarkReadResponse')).seq).toBe(3);
      expect(await commitCount(server.url)).toBe(commits);
      ann.ws.close();
      ben.ws.close();
    });
  });

  it('leaves the entry cache equal to the database after mixed sends and receipts of both members', async () => {
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
        const cached = structuredClone(repo.receipts(conv)!);
        repo.forgetCached(conv);
        const storedPositions = repo.receipts(conv)!;
        const stored = repo.get(conv)!;
        expect(cached).toEqual(storedPositions);
        for (const m of Object.values(storedPositions)) {
          expect(m.readSeq).toBeLessThanOrEqual(m.deliveredSeq);
          expect(m.deliveredSeq).toBeLessThanOrEqual(stored.latestSeq);
        }
        // Each receipt's answer is a position it reached (never past what is stored now).
        expect((replies[3] as { seq: number }).seq).toBeLessThanOrEqual(storedPositions[ids['ben']!]!.readSeq);
      }
      expect(repo.get(conv)!.latestSeq).toBe(10);
      ann.ws.close();
      ben.ws.close();
    });
  });

  it('rewinds the WAL under sustained sends, cuts the file back to its size limit, and leaves it empty on close', async () => {
    let path = '';
    const limit = 1024 * 1024;
    await withFileServer(
      async (server, dbPath) => {
        path = dbPath;
        const { ann, ben, conv } = await directPair(server);
        const before = walRewinds(path);
        const sendAll = (prefix: string, n: number, body: string) =>
          Promise.all(Array.from({ length: n }, (_, i) => ann.call('SendMessageCommand', { conversationId: conv, clientMessageId: `${prefix}-${i}`, body }, 'SendMessageResponse')));
        // 24 MiB of messages, pipelined: past the server's 4,000-page (16 MiB) threshold.
        // The largest the file grew to, sampled after each round: a checkpoint that reached the end in a
        // gap between rounds may already have started the WAL over and cut it back by the last one.
        let largest = 0;
        for (let round = 0; round < 60; round++) {
          await sendAll(`wal-${round}`, 100, 'w'.repeat(4000));
          largest = Math.max(largest, statSync(`${path}-wal`).size);
        }
        expect(largest).toBeGreaterThan(limit);
        // The checkpointer thread works on its own ticks: a few more sends, a moment apart, until the WAL
        // has started over and the commit that started it cut the file back to the limit.
        let rewinds = walRewinds(path) - before;
        let size = statSync(`${path}-wal`).size;
        for (let i = 0; i < 400 && (rewinds < 1 || size > limit); i++) {
          await sendAll(`more-${i}`, 5, 'm');
          await sleep(25);
          rewinds = walRewinds(path) - before;
          size = statSync(`${path}-wal`).size;
        }
        expect(rewinds).toBeGreaterThanOrEqual(1);
        expect(size).toBeLessThanOrEqual(limit);
        ann.ws.close();
        ben.ws.close();
      },
      { walSizeLimitBytes: limit, limits: { commandsPerSecond: 1e6, commandBurst: 1e6, sendsPerUserPerMinute: 1e6 } },
    );
    // The last connection closed: the WAL was checkpointed to its end and removed.
    expect(existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0).toBe(0);
  });
});

describe('the checkpointer thread', () => {
  it('alone keeps the WAL bounded under sustained writes, receipts included: the writer pauses for its final pass, and the WAL rewinds', async () => {
    const { db, path, conv, a, b } = fileDb();
    // No backstop and no idle checkpoint: only the checkpointer's final passes can rewind the WAL.
    const writer = new ThreadMessageWriter(() =>
      startWriterThread({ path, durability: 'normal', autocheckpointPages: 100, checkpointerMs: 5, backstopPages: 0, idleCheckpointMs: 0 }),
    );
    let round = 0;
    let k = 0;
    const answers: number[] = [];
    // Receipts in the batches all along, as the server writes them: through the writer. (The same
    // UPDATE on the main connection, landing during the final passes, kept the WAL from rewinding:
    // this test then saw 12-17 MB after a 4.5-5.5 MB warm-up, and bench/writer-latency.ts 64-88 MiB,
    // docs/BENCHMARKS.md.)
    const writeUntil = async (rewinds: number): Promise<number> => {
      let done = walRewinds(path);
      for (let i = 0; i < 20_000 && done < rewinds; i++, round++) {
        k++;
        const batch = await writer.commit({ ...sends(conv, a, `${round}`, 20, 'x'.repeat(300)), receipts: [{ conversationId: conv, userId: b, seq: k, read: k % 2 === 0 }] });
        answers.push(batch.receipts[0]!.deliveredSeq);
        done = walRewinds(path);
      }
      return done;
    };
    // Until the checkpointer thread is up and has rewound the WAL once (it grows meanwhile) ...
    expect(await writeUntil(1)).toBeGreaterThanOrEqual(1);
    // ... then it asks for a final pass only when the WAL holds >= 100 frames, so 20 more rewinds
    // mean at least 2,000 pages through the WAL (8 MB, were it never rewound). Without the writer's
    // pause the passes never reached the end, and the WAL grew to 32-48 MB. Counted, not bounded by
    // size: a checkpointer thread starved on a loaded machine lets the WAL pass any fixed size
    // between two of its ticks (the file stays at its warm-up size, 1,400-2,400 pages, on an idle one).
    const before = walRewinds(path);
    expect((await writeUntil(before + 20)) - before).toBeGreaterThanOrEqual(20);
    // The receipts were written, each clamped to latestSeq.
    const latest = db.prepare('SELECT latest_seq FROM conversations WHERE id = ?').pluck().get(conv) as number;
    const delivered = db.prepare('SELECT delivered_seq FROM members WHERE user_id = ?').pluck().get(b);
    expect(delivered).toBe(Math.max(...answers));
    expect(delivered).toBeLessThanOrEqual(latest);
    await writer.close();
    closeDatabase(db);
  });
});

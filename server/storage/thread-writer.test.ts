import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { directPair, startTestServer } from '../test/harness';
import { closeDatabase, openDatabase, type Db } from './database';
import type { CommittedBatch, SendResult } from './message-writer';
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
    // 12,000 messages of 300 bytes wrote far more than this (over 4 MB into the table alone): the WAL was rewound.
        // With the checkpointer thread, the writer's own checkpoint is a backstop at 4 x pages: this run (a
    // fraction of a second) is over before the checkpointer thread has done much, so the bound is the
    // backstop's. That the checkpointer alone keeps the WAL near its threshold is shown by
    // bench/writer-latency.ts (docs/BENCHMARKS.md: 19-25 MiB at 4,000 pages, backstop 64 MiB).
    expect(largest).toBeLessThan((pages * (checkpointerMs > 0 ? 4 : 1) + 300) * pageSize);
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
    ]);
    expect(doomed.map((r) => r.status === 'rejected' && (r.reason as { code?: string }).code)).toEqual(['WRITER_THREAD_EXITED', 'WRITER_THREAD_EXITED']);
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
    await writer.close();
    expect(db.prepare('SELECT COUNT(*) FROM messages').pluck().get()).toBe(0);
    closeDatabase(db);
  });

  it('commits what is pending on close', async () => {
    const { db, path, conv, a } = fileDb();
    const writer = new ThreadMessageWriter({ path, durability: 'normal', autocheckpointPages: 4000, checkpointerMs, onCommitted: () => undefined });
    const sends = Array.from({ length: 50 }, (_, i) => writer.submit({ conversationId: conv, senderId: a, clientMessageId: `p${i}`, body: 'x' }));
    await writer.close();
    expect((await Promise.all(sends)).map((r) => r.message.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(db.prepare('SELECT COUNT(*) FROM messages').pluck().get()).toBe(50);
    closeDatabase(db);
  });
});

describe('the server with a database file', () => {
  it('keeps answering pings and reads while a commit is stalled on the writer thread, and acks that send only after its commit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidings-stall-'));
    dirs.push(dir);
    const server = await startTestServer({ dbPath: join(dir, 'db.sqlite') });
    try {
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
    } finally {
      await server.close();
    }
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
  it('alone keeps the WAL bounded under sustained writes: the writer pauses for its final pass, and the WAL rewinds', async () => {
    const { db, path, conv, a } = fileDb();
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const pages = 100;
    // No backstop: only the checkpointer's final passes can rewind the WAL.
    const writer = new ThreadMessageWriter({ path, durability: 'normal', autocheckpointPages: pages, checkpointerMs: 5, backstopPages: 0, idleCheckpointMs: 0, onCommitted: () => undefined });
    let round = 0;
    const writeUntil = async (finals: number): Promise<{ largest: number; finals: number }> => {
      let largest = 0;
      let done = 0;
      for (let i = 0; i < 20_000 && done < finals; i++, round++) {
        await Promise.all(
          Array.from({ length: 20 }, (_, j) => writer.submit({ conversationId: conv, senderId: a, clientMessageId: `${round}-${j}`, body: 'x'.repeat(300) })),
        );
        largest = Math.max(largest, statSync(`${path}-wal`).size);
        done = (await writer.statsForTest()).finals;
      }
      return { largest, finals: done };
    };
    // Until the checkpointer thread is up and has made its first final pass (the WAL grows meanwhile).
    const warm = await writeUntil(1);
    expect(warm.finals).toBeGreaterThanOrEqual(1);
    // Then: it asks for a final pass only when the WAL holds >= 100 frames, so 40 passes mean at least
    // 4,000 pages through the WAL (16 MB, were it never rewound) ...
    const run = await writeUntil(41);
    expect(run.finals).toBeGreaterThanOrEqual(41);
    // ... and the WAL file stayed at the size it had after the warm-up, or within 1,100 pages.
    expect(run.largest).toBeLessThan(Math.max(warm.largest, (pages + 1000) * pageSize) + 1);
    await writer.close();
    closeDatabase(db);
  });
});

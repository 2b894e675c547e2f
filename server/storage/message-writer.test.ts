import { describe, expect, it } from 'vitest';
import { openDatabase } from './database';
import { MessageWriter } from './message-writer';
import { Seeder } from './seed';

describe('MessageWriter (group commit)', () => {
  it('writes the sends of one event-loop turn in one transaction, deduplicating within the batch', async () => {
    const db = openDatabase(':memory:', 'normal');
    const seeder = new Seeder(db);
    const [a, b] = seeder.users([{ username: 'aaa', passwordHash: 'x' }, { username: 'bbb', passwordHash: 'x' }]) as [string, string];
    const conv = seeder.conversation({ memberIds: [a, b] });
    const batches: number[] = [];
    const writer = new MessageWriter(db, (_batch, _s, size) => batches.push(size));
    const results = await Promise.all([
      writer.submit({ conversationId: conv, senderId: a, clientMessageId: 'x', body: 'one' }),
      writer.submit({ conversationId: conv, senderId: b, clientMessageId: 'x', body: 'two' }),
      writer.submit({ conversationId: conv, senderId: a, clientMessageId: 'x', body: 'one again' }),
      writer.submit({ conversationId: conv, senderId: a, clientMessageId: 'y', body: 'three' }),
    ]);
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([4]);
    expect(results.map((r) => [r.message.seq, r.duplicate])).toEqual([[1, false], [2, false], [1, true], [3, false]]);
    expect(db.prepare('SELECT latest_seq FROM conversations').pluck().get()).toBe(3);
    db.close();
  });

  it('answers a resend stored by an earlier batch with the ORIGINAL, stores nothing and keeps seqs gap-free', async () => {
    const db = openDatabase(':memory:', 'normal');
    const seeder = new Seeder(db);
    const [a, b] = seeder.users([{ username: 'aaa', passwordHash: 'x' }, { username: 'bbb', passwordHash: 'x' }]) as [string, string];
    const conv = seeder.conversation({ memberIds: [a, b] });
    const other = seeder.conversation({ memberIds: [a, b], kind: 'group' });
    const created: string[][] = [];
    const writer = new MessageWriter(db, (batch) => created.push(batch.created.map((m) => m.clientMessageId)));
    const first = await writer.submit({ conversationId: conv, senderId: a, clientMessageId: 'k', body: 'original' });
    // Next batch: the same key again (another body, even another conversation), between two new sends.
    const [before, again, elsewhere, after] = await Promise.all([
      writer.submit({ conversationId: conv, senderId: b, clientMessageId: 'k', body: 'b own' }),
      writer.submit({ conversationId: conv, senderId: a, clientMessageId: 'k', body: 'changed' }),
      writer.submit({ conversationId: other, senderId: a, clientMessageId: 'k', body: 'elsewhere' }),
      writer.submit({ conversationId: conv, senderId: a, clientMessageId: 'k2', body: 'new' }),
    ]);
    await new Promise((r) => setImmediate(r));
    expect(first).toMatchObject({ duplicate: false, message: { seq: 1, body: 'original' } });
    expect(again).toEqual({ duplicate: true, message: first.message });
    expect(elsewhere).toEqual({ duplicate: true, message: first.message });
    expect([before.message.seq, after.message.seq]).toEqual([2, 3]);
    expect(created).toEqual([['k'], ['k', 'k2']]);
    expect(db.prepare('SELECT seq FROM messages WHERE conversation_id = ? ORDER BY seq').pluck().all(conv)).toEqual([1, 2, 3]);
    expect(db.prepare('SELECT latest_seq FROM conversations WHERE id = ?').pluck().get(other)).toBe(0);
    db.close();
  });

  it('measures: messages per second through group commit on a WAL file', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'tidings-writer-'));
    const db = openDatabase(join(dir, 'w.db'), 'normal');
    const seeder = new Seeder(db);
    const users = seeder.users(Array.from({ length: 10 }, (_, i) => ({ username: `w${i}`, passwordHash: 'x' })));
    const convs = users.slice(1).map((u) => seeder.conversation({ memberIds: [users[0]!, u] }));
    const writer = new MessageWriter(db, () => undefined);
    const total = 20_000;
    const started = performance.now();
    for (let round = 0; round < total / 500; round++) {
      await Promise.all(
        Array.from({ length: 500 }, (_, i) =>
          writer.submit({ conversationId: convs[i % convs.length]!, senderId: users[0]!, clientMessageId: `${round}-${i}`, body: 'hello there' }),
        ),
      );
    }
    const seconds = (performance.now() - started) / 1000;
    console.info(`group commit: ${Math.round(total / seconds)} messages/s (batches of 500, synchronous=NORMAL)`);
    expect(db.prepare('SELECT COUNT(*) FROM messages').pluck().get()).toBe(total);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

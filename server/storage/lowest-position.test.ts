import { describe, expect, it } from 'vitest';
import { openDatabase } from './database';
import { Seeder } from './seed';
import { Storage } from './storage';

/**
 * The summaries kept by the repository (lowest-position.ts, O(1) per move
 * where it can) against the definition, computed the slow way: for every
 * member, the lowest position over the others; and the members the
 * repository says moved against those whose summaries did move.
 */
function lowestOverOthers(positions: Record<string, { deliveredSeq: number; readSeq: number }>, userId: string, field: 'deliveredSeq' | 'readSeq'): number {
  const others = Object.entries(positions).filter(([id]) => id !== userId).map(([, p]) => p[field]);
  return others.length === 0 ? 0 : Math.min(...others);
}

describe('summaries of the lowest positions', () => {
  it('match the lowest over the other members for every member through 3,000 random receipt batches, and name exactly who moved', () => {
    const db = openDatabase(':memory:', 'normal');
    const storage = new Storage(db);
    const seeder = new Seeder(db, () => storage.conversations.forgetCached());
    const users = seeder.users(Array.from({ length: 12 }, (_, i) => ({ username: `u${i}`, passwordHash: 'x' })));
    const conv = seeder.conversation({ memberIds: users, kind: 'group' });
    seeder.messages(conv, Array.from({ length: 2000 }, () => ({ senderId: users[0]!, body: 'x' })));
    const repo = storage.conversations;
    // A fixed pseudo-random sequence, so a failure repeats.
    let seed = 7;
    const random = (n: number): number => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * n | 0;
    };
    const views = (): Map<string, string> => {
      const positions = repo.receipts(conv)!;
      return new Map(users.map((u) => [u, `${lowestOverOthers(positions, u, 'deliveredSeq')} ${lowestOverOthers(positions, u, 'readSeq')}`]));
    };
    let summaryCount = 0;
    for (let round = 0; round < 3000; round++) {
      const before = views();
      const batch = Array.from({ length: 1 + random(3) }, () => {
        // Members of different speeds (u0 the slowest), so that the lowest is often held by one alone, by several, or tied with the next.
        const i = random(users.length);
        const userId = users[random(12) <= i ? i : 0]!;
        const now = repo.positionOf(conv, userId)!;
        const deliveredSeq = Math.min(2000, now.deliveredSeq + random(3));
        const readSeq = random(2) ? Math.min(deliveredSeq, now.readSeq + random(4)) : now.readSeq;
        return { conversationId: conv, userId, deliveredSeq, readSeq };
      });
      const moves = repo.committed(new Map(), Date.now(), batch);
      const after = views();
      for (const u of users) {
        const f = repo.callerFields(conv, u)!;
        expect(`${f.deliveredToAllSeq} ${f.readByAllSeq}`).toBe(after.get(u));
      }
      const reported = new Set(moves[0]?.summaryMoved ?? []);
      summaryCount += reported.size;
      const actual = new Set(users.filter((u) => before.get(u) !== after.get(u)));
      expect(reported).toEqual(actual);
    }
    // The walk did move summaries, many times.
    expect(summaryCount).toBeGreaterThan(1000);
  });

  it('with no other member the summaries are 0, and a member added later counts as having read what came before', () => {
    const db = openDatabase(':memory:', 'normal');
    const storage = new Storage(db);
    const seeder = new Seeder(db, () => storage.conversations.forgetCached());
    const [a, b] = seeder.users([{ username: 'aaa', passwordHash: 'x' }, { username: 'bbb', passwordHash: 'x' }]) as [string, string];
    const alone = seeder.conversation({ memberIds: [a], kind: 'group' });
    seeder.messages(alone, [{ senderId: a, body: 'x' }]);
    expect(storage.conversations.callerFields(alone, a)).toEqual({ myDeliveredSeq: 0, myReadSeq: 0, deliveredToAllSeq: 0, readByAllSeq: 0 });
    const late = seeder.conversation({ memberIds: [a, b], kind: 'group' });
    seeder.messages(late, Array.from({ length: 9 }, () => ({ senderId: a, body: 'x' })));
    db.prepare('UPDATE members SET joined_seq = 8 WHERE conversation_id = ? AND user_id = ?').run(late, b);
    storage.conversations.forgetCached(late);
    expect(storage.conversations.callerFields(late, b)).toEqual({ myDeliveredSeq: 7, myReadSeq: 7, deliveredToAllSeq: 0, readByAllSeq: 0 });
    expect(storage.conversations.callerFields(late, a)).toMatchObject({ deliveredToAllSeq: 7, readByAllSeq: 7 });
  });
});

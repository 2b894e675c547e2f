import { describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from './database';
import { Seeder } from './seed';
import { PURGE_BATCH_ROWS, SessionsRepo } from './sessions-repo';

const LIFETIMES = { trustedSessionMs: 30 * 86_400_000, trustedSessionMaxMs: 90 * 86_400_000, publicSessionIdleMs: 30 * 60_000, publicSessionMaxMs: 8 * 3_600_000 };

describe('SessionsRepo.purgeExpired', () => {
  it('deletes sessions expired by more than the minute last_used_at may lag, one bounded batch per call, and nothing in use', () => {
    const db = openDatabase(':memory:', 'normal');
    try {
      const repo = new SessionsRepo(db);
      const [user] = new Seeder(db).users([{ username: 'purge', passwordHash: 'x' }]) as [string];
      const now = 10 * 365 * 86_400_000;
      const add = (tokenHash: string, publicComputer: boolean, createdAt: number, lastUsedAt: number): void =>
        void repo.insert({ tokenHash, userId: user, publicComputer, createdAt, lastUsedAt });
      // Within the lag: the registry may hold a later last_used_at in memory.
      add('trusted-just-expired', false, now - 31 * 86_400_000, now - LIFETIMES.trustedSessionMs - 30_000);
      add('public-idle-just-expired', true, now - 3_600_000, now - LIFETIMES.publicSessionIdleMs - 30_000);
      // Past it.
      add('trusted-expired', false, 0, now - LIFETIMES.trustedSessionMs - 61_000);
      add('public-idle-expired', true, now - 3_600_000, now - LIFETIMES.publicSessionIdleMs - 61_000);
      add('public-cap-expired', true, now - LIFETIMES.publicSessionMaxMs - 61_000, now);
      // Used a moment ago, but logged in longer ago than a trusted session may last at all.
      add('trusted-cap-expired', false, now - LIFETIMES.trustedSessionMaxMs - 61_000, now);
      add('trusted-live', false, now - 86_400_000, now - 86_400_000);
      add('public-live', true, now - 60_000, now);
      expect(repo.purgeExpired(now, LIFETIMES)).toBe(4);
      const left = db.prepare('SELECT token_hash FROM sessions ORDER BY token_hash').pluck().all();
      expect(left).toEqual(['public-idle-just-expired', 'public-live', 'trusted-just-expired', 'trusted-live']);

      db.transaction(() => {
        for (let i = 0; i < PURGE_BATCH_ROWS + 5; i++) add(`old-${i}`, false, 0, 0);
      })();
      expect(repo.purgeExpired(now, LIFETIMES)).toBe(PURGE_BATCH_ROWS);
      expect(repo.purgeExpired(now, LIFETIMES)).toBe(5);
      expect(repo.find('trusted-live')).toBeDefined();
    } finally {
      closeDatabase(db);
    }
  });
});

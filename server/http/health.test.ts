import { describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../storage/database';
import { Storage } from '../storage/storage';
import { DatabaseHealth } from './health';

describe('DatabaseHealth', () => {
  it('probes at most once per period, and shows a database that stopped taking writes (and one that recovered) within one period', () => {
    const db = openDatabase(':memory:', 'normal');
    let now = 1_000_000;
    const health = new DatabaseHealth(new Storage(db), 1000, () => now);
    const changes = (): number => db.prepare('SELECT total_changes()').pluck().get() as number;
    try {
      expect(health.check()).toBeNull();
      const afterFirst = changes();
      for (let i = 0; i < 100; i++) expect(health.check()).toBeNull();
      expect(changes()).toBe(afterFirst);

      // The probe's table gone: the next probe fails; until the period is over the last result stands.
      db.exec('ALTER TABLE health_probe RENAME TO health_probe_away');
      now += 999;
      expect(health.check()).toBeNull();
      now += 1;
      expect(health.check()).toBe('database is not writable');
      now += 500;
      db.exec('ALTER TABLE health_probe_away RENAME TO health_probe');
      expect(health.check()).toBe('database is not writable');
      now += 500;
      expect(health.check()).toBeNull();
    } finally {
      closeDatabase(db);
    }
  });
});

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCheckpointer } from './checkpointer';
import { closeDatabase, openDatabase } from './database';

describe('checkpointer (WAL checkpoints on a worker thread)', () => {
  it('moves committed pages into the database file while the writer never checkpoints itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidings-ckpt-'));
    const path = join(dir, 'db.sqlite');
    const db = openDatabase(path, 'normal');
    const errors: string[] = [];
    const checkpointer = startCheckpointer(db, { intervalMs: 20, walPages: 100_000, onError: (m) => errors.push(m) });
    try {
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(100_000);
      const before = statSync(path).size;
      const insert = db.prepare('INSERT INTO health_probe (id, at) VALUES (?, zeroblob(4000))');
      for (let i = 10; i < 210; i++) db.transaction(() => insert.run(i))();
      // About 200 pages are in the WAL and none in the file, until the worker copies them.
      const deadline = Date.now() + 5000;
      while (statSync(path).size < before + 150 * 4096 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(statSync(path).size).toBeGreaterThanOrEqual(before + 150 * 4096);
      expect(errors).toEqual([]);
    } finally {
      await checkpointer.stop();
      closeDatabase(db);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

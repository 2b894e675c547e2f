import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase, type Db } from './database';
import { Seeder } from './seed';
import { Storage } from './storage';

/** /healthz rests on probeWrite: it must fail whenever a new message could not be stored. */
describe('Storage.probeWrite', () => {
  let dir: string;
  let db: Db;
  afterEach(() => {
    closeDatabase(db);
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails while the database cannot grow, and succeeds again once it can', () => {
    dir = mkdtempSync(join(tmpdir(), 'tidings-probe-'));
    db = openDatabase(join(dir, 'probe.db'), 'normal');
    const storage = new Storage(db);
    storage.probeWrite();
    db.prepare('CREATE TABLE scratch (x)').run();
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    // Fill what is left, as messages would, until a write fails for lack of room.
    const insert = db.prepare('INSERT INTO scratch (x) VALUES (randomblob(500))');
    let full = false;
    for (let i = 0; i < 10_000 && !full; i++) {
      try {
        insert.run();
      } catch (error) {
        expect(String(error)).toMatch(/full/i);
        full = true;
      }
    }
    expect(full).toBe(true);
    // The probe must fail too, so /healthz turns 503.
    expect(() => storage.probeWrite()).toThrow(/full/i);
    db.pragma('max_page_count = 1073741823');
    expect(() => storage.probeWrite()).not.toThrow();
    // Repeated probes leave the file as it was (no growth per probe).
    const before = db.pragma('page_count', { simple: true }) as number;
    for (let i = 0; i < 50; i++) storage.probeWrite();
    expect(db.pragma('page_count', { simple: true })).toBe(before);
  });

  it('never passes while the next message cannot be stored, however little room is left (page splits need several pages at once)', () => {
    dir = mkdtempSync(join(tmpdir(), 'tidings-probe-'));
    db = openDatabase(join(dir, 'probe.db'), 'normal');
    const storage = new Storage(db);
    const seeder = new Seeder(db);
    const [a, b] = seeder.users([
      { username: 'probe.a', passwordHash: 'x' },
      { username: 'probe.b', passwordHash: 'x' },
    ]) as [string, string];
    const conversation = seeder.conversation({ memberIds: [a, b] });
    let stored = 0;
    let passedButFull = 0;
    // Give the file 0-11 pages of room at a time and ask: probe first (what /healthz sees), then a message of the longest body.
    for (let round = 0; round < 120; round++) {
      const pages = db.pragma('page_count', { simple: true }) as number;
      db.pragma(`max_page_count = ${pages + (round % 12)}`);
      let probeOk = true;
      try {
        storage.probeWrite();
      } catch {
        probeOk = false;
      }
      try {
        seeder.messages(conversation, [{ senderId: a, body: 'é'.repeat(4000), clientMessageId: `probe-${round}` }]);
        stored++;
      } catch {
        if (probeOk) passedButFull++;
      }
      db.pragma('max_page_count = 1073741823');
    }
    expect(stored).toBeGreaterThan(0);
    expect(passedButFull).toBe(0);
  });
});

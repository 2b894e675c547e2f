import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ContactsRepo } from './contacts-repo';
import { closeDatabase, openDatabase } from './database';
import { Seeder } from './seed';
import { SessionsRepo } from './sessions-repo';

/**
 * A database of the schema before contact requests (user_version 2): its
 * contacts carry over as accepted, its sessions get ids, and nothing else
 * changes. The old schema is made by undoing the migration on a fresh file.
 */
describe('the migration to contacts by consent', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('keeps every contact as accepted and gives every session an id of its own', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidings-migration-'));
    dirs.push(dir);
    const path = join(dir, 'old.db');
    const old = openDatabase(path, 'normal');
    const [a, b, c] = new Seeder(old).users(['ada', 'ben', 'cal'].map((username) => ({ username, passwordHash: 'x' }))) as [string, string, string];
    old.exec(`
      DROP TABLE contact_requests; DROP TABLE blocks;
      DROP INDEX sessions_id; ALTER TABLE sessions DROP COLUMN id; ALTER TABLE sessions DROP COLUMN client;
      PRAGMA user_version = 2;
    `);
    const insertContact = old.prepare('INSERT INTO contacts (user_id, contact_id, created_at) VALUES (?, ?, 1)');
    for (const [x, y] of [[a, b], [b, a], [a, c], [c, a]] as [string, string][]) insertContact.run(x, y);
    const insertSession = old.prepare('INSERT INTO sessions (token_hash, user_id, public_computer, created_at, last_used_at) VALUES (?, ?, 0, 1, 1)');
    insertSession.run('hash-one', a);
    insertSession.run('hash-two', a);
    closeDatabase(old);

    const db = openDatabase(path, 'normal');
    try {
      expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(3);
      const contacts = new ContactsRepo(db);
      const entries = contacts.page(a, '', 10).map((e) => `${e.username} ${e.state} ${e.blocked}`);
      expect(entries.sort()).toEqual(['ben accepted false', 'cal accepted false']);
      expect(contacts.isContact(b, a)).toBe(true);
      expect(contacts.canReach(a, c)).toBe(true);
      expect(contacts.page(b, '', 10).map((e) => e.presenceVisible)).toEqual([true]);
      const sessions = new SessionsRepo(db).listByUser(a);
      expect(sessions).toHaveLength(2);
      const ids = sessions.map((s) => s.id);
      for (const id of ids) expect(id).toMatch(/^s_[0-9a-f]{32}$/);
      expect(new Set(ids).size).toBe(2);
      expect(sessions.map((s) => s.client)).toEqual(['', '']);
    } finally {
      closeDatabase(db);
    }
  });
});

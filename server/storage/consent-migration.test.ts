import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ContactsRepo } from './contacts-repo';
import { closeDatabase, openDatabase } from './database';
import { MIGRATIONS, migrate } from './migrations';
import { SessionsRepo } from './sessions-repo';

/**
 * A database of the schema just before contact requests: its
 * contacts carry over as accepted, its sessions get ids, and nothing else
 * changes. The old schema is made by applying only the migrations before it.
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
    // The schema as it was right before the consent migration, whatever came before or after it.
    const consent = MIGRATIONS.findIndex((m) => m.includes('CREATE TABLE contact_requests'));
    expect(consent).toBeGreaterThan(0);
    const old = new Database(path);
    migrate(old, consent);
    // Plain SQL: the Seeder speaks the newest schema.
    const [a, b, c] = ['u_ada', 'u_ben', 'u_cal'] as const;
    const insertUser = old.prepare("INSERT INTO users (id, username, display_name, password_hash, created_at) VALUES (?, ?, ?, 'x', 1)");
    for (const id of [a, b, c]) insertUser.run(id, id.slice(2), id.slice(2));
    const insertContact = old.prepare('INSERT INTO contacts (user_id, contact_id, created_at) VALUES (?, ?, 1)');
    for (const [x, y] of [[a, b], [b, a], [a, c], [c, a]] as [string, string][]) insertContact.run(x, y);
    const insertSession = old.prepare('INSERT INTO sessions (token_hash, user_id, public_computer, created_at, last_used_at) VALUES (?, ?, 0, 1, 1)');
    insertSession.run('hash-one', a);
    insertSession.run('hash-two', a);
    old.close();

    const db = openDatabase(path, 'normal');
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
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

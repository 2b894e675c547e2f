import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../storage/database';
import { loginAs, seedUsers, startTestServer } from '../test/harness';

const dir = mkdtempSync(join(tmpdir(), 'tidings-presence-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('presence grace', () => {
  it('a user still in the grace when the server stops has lastSeenAt stored: the moment the last socket closed', async () => {
    const dbPath = join(dir, 'grace.db');
    const server = await startTestServer({ dbPath, presenceOfflineGraceMs: 60_000 });
    const ids = await seedUsers(server, ['gia', 'gus']);
    const { client } = await loginAs(server, 'gia');
    const before = Date.now();
    client.close();
    await client.closed;
    for (let i = 0; i < 200 && server.connectionCount() > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(server.storage.users.findById(ids['gia']!)!.lastSeenAt).toBeNull(); // in the grace: still online
    await server.close();
    const db = openDatabase(dbPath, 'normal');
    const row = db.prepare('SELECT last_seen_at AS at FROM users WHERE id = ?').get(ids['gia']!) as { at: number | null };
    closeDatabase(db);
    expect(row.at).toBeGreaterThanOrEqual(before);
  });
});

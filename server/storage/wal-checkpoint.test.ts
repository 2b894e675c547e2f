import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../test/harness';

describe('WAL checkpoint threshold', () => {
  it('is the checkpointer thread\'s (4,000 pages), with the writer\'s own at 16,000 as a backstop and none on the event loop\'s connection', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidings-wal-'));
    const server = await startTestServer({ dbPath: join(dir, 'db.sqlite') });
    try {
      expect(await server.writer.pragma('wal_autocheckpoint', true)).toBe(16_000);
      expect(server.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

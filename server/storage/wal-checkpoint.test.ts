import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../test/harness';

describe('WAL checkpoint threshold', () => {
  it('is the checkpointer thread\'s (4,000 pages), with the writer\'s and the event loop connection\'s own at 16,000 as backstops, and the WAL file cut back to WAL_SIZE_LIMIT_MIB', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidings-wal-'));
    const server = await startTestServer({ dbPath: join(dir, 'db.sqlite') });
    try {
      expect(await server.writer.pragma('wal_autocheckpoint', true)).toBe(16_000);
      expect(server.db.pragma('wal_autocheckpoint', { simple: true })).toBe(16_000);
      expect(server.db.pragma('journal_size_limit', { simple: true })).toBe(64 * 1024 * 1024);
      expect(await server.writer.pragma('journal_size_limit', true)).toBe(64 * 1024 * 1024);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

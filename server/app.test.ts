import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ownOrigins } from './config';
import { startTestServer } from './test/harness';

function upgradeStatus(url: string, origin: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { origin });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => undefined);
  });
}

describe('startServer configuration', () => {
  it('opens a file database in WAL with synchronous NORMAL by default and FULL on request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidings-app-'));
    const normal = await startTestServer({ dbPath: join(dir, 'a.db') });
    const full = await startTestServer({ dbPath: join(dir, 'b.db'), durability: 'full' });
    expect(normal.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(normal.db.pragma('synchronous', { simple: true })).toBe(1);
    expect(full.db.pragma('synchronous', { simple: true })).toBe(2);
    await Promise.all([normal.close(), full.close()]);
    await normal.close(); // closing twice is harmless
    rmSync(dir, { recursive: true, force: true });
  });

  it('allows the configured origins only, when ALLOWED_ORIGINS is set', async () => {
    const server = await startTestServer({ allowedOrigins: ['https://chat.example'] });
    expect(await upgradeStatus(server.wsUrl, 'https://chat.example')).toBe(101);
    expect(await upgradeStatus(server.wsUrl, 'https://other.example')).toBe(403);
    await server.close();
  });

  it('counts loopback aliases as the server’s own origins', () => {
    expect(ownOrigins('127.0.0.1', 8080)).toEqual(['http://127.0.0.1:8080', 'http://localhost:8080']);
    expect(ownOrigins('0.0.0.0', 80)).toContain('http://localhost:80');
    expect(ownOrigins('chat.example', 443)).toEqual(['http://chat.example:443']);
  });
});

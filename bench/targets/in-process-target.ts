import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../server/app';
import { startRawRelay } from '../baselines/raw-relay';
import { startSocketIoServer } from '../baselines/socketio-server';
import type { PopulationShape } from '../generator/population';
import { seedDatabase } from './real-target';
import type { RunningTarget, TargetKind } from './target';

/**
 * The same three targets started inside the benchmark's own process
 * (`--in-process`): no child to compile and boot, so the smoke test stays
 * short. Memory and CPU figures then include the coordinator; use it only
 * for checking the tools, never for figures.
 */
export async function launchInProcess(kind: TargetKind, shape: PopulationShape, runId: string): Promise<RunningTarget> {
  const started = performance.now();
  if (kind === 'real') {
    const dir = mkdtempSync(join(tmpdir(), 'tidings-bench-'));
    const dbPath = join(dir, 'bench.db');
    const seeded = seedDatabase(dbPath, shape, runId);
    const seedMs = performance.now() - started;
    // The generator opens thousands of sockets from a few loopback addresses: the socket caps are off.
    const server = await startServer({ host: '127.0.0.1', port: 0, dbPath, durability: 'normal', logLevel: 'silent', maxSockets: 0, maxSocketsPerAddress: 0, maxPendingSocketsPerAddress: 0 });
    return {
      kind, pid: process.pid, url: server.wsUrl, transport: 'protocol', seeded, seedMs,
      failure: () => null,
      stop: async () => {
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const seeded = { tokens: Array.from({ length: shape.users }, (_, i) => `u${i}`), conversationIds: shape.conversations.map((_, c) => `c${c}`) };
  const server = kind === 'raw' ? await startRawRelay(0) : await startSocketIoServer(0);
  return {
    kind, pid: process.pid,
    url: kind === 'raw' ? `ws://127.0.0.1:${server.port}/ws` : `http://127.0.0.1:${server.port}`,
    transport: kind === 'raw' ? 'protocol' : 'socketio',
    seeded, seedMs: performance.now() - started,
    failure: () => null,
    stop: () => server.close(),
  };
}

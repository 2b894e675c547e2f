import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startRawRelay } from '../baselines/raw-relay';
import { startSocketIoServer } from '../baselines/socketio-server';
import { openSqliteLog } from '../baselines/sqlite-message-log';
import type { PopulationShape } from '../generator/population';
import { baselinePopulation } from './baseline-target';
import { REPO_ROOT, seedDatabase } from './real-target';
import { TARGET_TRANSPORTS, type RunningTarget, type TargetKind } from './target';
import type * as AppModule from '../../server/app';

/**
 * The same targets started inside the benchmark's own process
 * (`--in-process`): no child to compile and boot, so the smoke test stays
 * short. Memory and CPU figures then include the coordinator; use it only
 * for checking the tools, never for figures. `root` is the checkout whose
 * server `real-base` runs.
 */
export async function launchInProcess(kind: TargetKind, shape: PopulationShape, runId: string, root = REPO_ROOT): Promise<RunningTarget> {
  const started = performance.now();
  const dir = kind === 'raw' || kind === 'socketio' ? null : mkdtempSync(join(tmpdir(), 'tidings-bench-'));
  const removeDir = (): void => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  if (kind === 'real' || kind === 'real-base') {
    const dbPath = join(dir!, 'bench.db');
    const seeded = await seedDatabase(dbPath, shape, runId, root);
    const seedMs = performance.now() - started;
    const { startServer } = (await import(pathToFileURL(join(root, 'server/app.ts')).href)) as typeof AppModule;
    // The generator opens thousands of sockets from a few loopback addresses: the socket caps are off.
    const server = await startServer({ host: '127.0.0.1', port: 0, dbPath, durability: 'normal', logLevel: 'silent', maxSockets: 0, maxSocketsPerAddress: 0, maxPendingSocketsPerAddress: 0 });
    return {
      kind, pid: process.pid, url: server.wsUrl, transport: 'protocol', seeded, seedMs,
      failure: () => null,
      stop: async () => {
        await server.close();
        removeDir();
      },
    };
  }
  const seeded = baselinePopulation(shape);
  const server = kind === 'raw' ? await startRawRelay(0) : await startSocketIoServer(0, '127.0.0.1', dir ? openSqliteLog(join(dir, 'peer.db')) : undefined);
  const transport = TARGET_TRANSPORTS[kind];
  return {
    kind, pid: process.pid,
    url: transport === 'protocol' ? `ws://127.0.0.1:${server.port}/ws` : `http://127.0.0.1:${server.port}`,
    transport,
    seeded, seedMs: performance.now() - started,
    failure: () => null,
    stop: async () => {
      await server.close();
      removeDir();
    },
  };
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drainOutput, freePort, spawnTsChild, stopChild, waitForOutput } from '../lib/children';
import type { PopulationShape } from '../generator/population';
import { TARGET_TRANSPORTS, type RunningTarget } from './target';

/**
 * Starts one of the baselines as a child process. They keep no accounts: a
 * token is the user's id, a conversation is a room name. The durable peer
 * gets a fresh database file in a temp folder, removed when it stops.
 */
const SCRIPTS = {
  raw: fileURLToPath(new URL('../baselines/raw-relay.ts', import.meta.url)),
  socketio: fileURLToPath(new URL('../baselines/socketio-server.ts', import.meta.url)),
  'socketio-sqlite': fileURLToPath(new URL('../baselines/socketio-server.ts', import.meta.url)),
};

export type BaselineKind = keyof typeof SCRIPTS;

/**
 * The tokens (which the baselines take as user ids) and conversation ids of
 * a baseline: made up, nothing to seed, but as long as the real server's
 * (a letter, `_` and 22 characters), so that bytes per send compare the
 * protocols and not the lengths of made-up names (`c7`, `u12`: about 100
 * bytes a delivery shorter).
 */
export function baselinePopulation(shape: PopulationShape): { tokens: string[]; conversationIds: string[] } {
  return {
    tokens: Array.from({ length: shape.users }, (_, i) => serverShapedId('u', i)),
    conversationIds: shape.conversations.map((_, c) => serverShapedId('c', c)),
  };
}

/** An id the length of the real server's (server/storage/ids.ts), made from a number. */
export function serverShapedId(prefix: 'u' | 'c' | 'm', n: number): string {
  return `${prefix}_${String(n).padStart(22, '0')}`;
}

export async function launchBaseline(kind: BaselineKind, shape: PopulationShape, runId: string, nodeFlags: string[]): Promise<RunningTarget> {
  const started = performance.now();
  const seeded = baselinePopulation(shape);
  const seedMs = performance.now() - started;
  const dir = kind === 'socketio-sqlite' ? mkdtempSync(join(tmpdir(), 'sio-sqlite-bench-')) : null;
  const port = await freePort();
  const env: Record<string, string> = { PORT: String(port), HOST: '127.0.0.1', BENCH_RUN: runId, ...(dir ? { DB_PATH: join(dir, 'peer.db') } : {}) };
  const child = spawnTsChild(SCRIPTS[kind], [], env, nodeFlags);
  await waitForOutput(child, /listening (\d+)/, 20_000);
  const output = { tail: '' };
  drainOutput(child, output);
  const transport = TARGET_TRANSPORTS[kind];
  return {
    kind,
    pid: child.pid!,
    url: transport === 'protocol' ? `ws://127.0.0.1:${port}/ws` : `http://127.0.0.1:${port}`,
    transport,
    seeded,
    seedMs,
    failure: () => (child.exitCode !== null || child.signalCode !== null ? `exited ${child.exitCode ?? child.signalCode}: ${output.tail}` : null),
    stop: async () => {
      await stopChild(child);
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

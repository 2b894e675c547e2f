import { fileURLToPath } from 'node:url';
import { drainOutput, freePort, spawnTsChild, stopChild, waitForOutput } from '../lib/children';
import type { PopulationShape } from '../generator/population';
import type { RunningTarget } from './target';

/**
 * Starts one of the in-memory baselines as a child process. They keep no
 * accounts: a token is the user's id, a conversation is a room name.
 */
const SCRIPTS = {
  raw: fileURLToPath(new URL('../baselines/raw-relay.ts', import.meta.url)),
  socketio: fileURLToPath(new URL('../baselines/socketio-server.ts', import.meta.url)),
};

export async function launchBaseline(kind: 'raw' | 'socketio', shape: PopulationShape, runId: string, nodeFlags: string[]): Promise<RunningTarget> {
  const started = performance.now();
  const seeded = {
    tokens: Array.from({ length: shape.users }, (_, i) => `u${i}`),
    conversationIds: shape.conversations.map((_, c) => `c${c}`),
  };
  const seedMs = performance.now() - started;
  const port = await freePort();
  const child = spawnTsChild(SCRIPTS[kind], [], { PORT: String(port), HOST: '127.0.0.1', BENCH_RUN: runId }, nodeFlags);
  await waitForOutput(child, /listening (\d+)/, 20_000);
  const output = { tail: '' };
  drainOutput(child, output);
  return {
    kind,
    pid: child.pid!,
    url: kind === 'raw' ? `ws://127.0.0.1:${port}/ws` : `http://127.0.0.1:${port}`,
    transport: kind === 'raw' ? 'protocol' : 'socketio',
    seeded,
    seedMs,
    failure: () => (child.exitCode !== null || child.signalCode !== null ? `exited ${child.exitCode ?? child.signalCode}: ${output.tail}` : null),
    stop: () => stopChild(child),
  };
}

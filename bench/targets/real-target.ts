import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { drainOutput, freePort, spawnTsChild, stopChild } from '../lib/children';
import { sleep } from '../lib/clock';
import type { PopulationShape } from '../generator/population';
import type { RunningTarget, TargetKind } from './target';
import type * as DatabaseModule from '../../server/storage/database';
import type * as SeedModule from '../../server/storage/seed';

/**
 * The real server: the benchmark seeds a fresh database file directly
 * (one precomputed password hash for everyone, sessions for known tokens,
 * contacts for direct pairs, the conversations), then starts
 * `node --import tsx server/main.ts` on it with durable acks, as an operator would.
 * `real-base` is the same for another checkout (`--baseline-checkout`): its own
 * server/main.ts, seeded by its own server/storage/seed.ts, its own node_modules.
 */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A syntactically valid scrypt hash nobody can log in with; logins here are by token. */
const UNUSABLE_HASH = `scrypt$65536$8$1$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(64).toString('base64')}`;

/** Seeds `path` with the checkout's own storage code, so a checkout with another schema seeds its own. */
export async function seedDatabase(path: string, shape: PopulationShape, runId: string, root = REPO_ROOT): Promise<{ tokens: string[]; conversationIds: string[] }> {
  const storage = (await import(pathToFileURL(join(root, 'server/storage/database.ts')).href)) as typeof DatabaseModule;
  const { Seeder } = (await import(pathToFileURL(join(root, 'server/storage/seed.ts')).href)) as typeof SeedModule;
  const db = storage.openDatabase(path, 'normal');
  try {
    const seeder = new Seeder(db);
    const userIds = seeder.users(Array.from({ length: shape.users }, (_, i) => ({ username: `bench${i}`, passwordHash: UNUSABLE_HASH })));
    const tokens = userIds.map((_, i) => `bench-${runId}-${i}`);
    seeder.sessions(userIds.map((userId, i) => ({ userId, token: tokens[i]! })));
    const pairs: [string, string][] = shape.conversations.filter((m) => m.length === 2).map(([a, b]) => [userIds[a!]!, userIds[b!]!]);
    seeder.contacts(pairs);
    const conversationIds = db.transaction(() =>
      shape.conversations.map((members, c) =>
        seeder.conversation({ memberIds: members.map((m) => userIds[m]!), title: members.length > 2 ? `group ${c}` : '' }),
      ),
    )();
    return { tokens, conversationIds };
  } finally {
    storage.closeDatabase(db);
  }
}

async function waitForPort(port: number, timeoutMs: number, failed: () => string | null): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const why = failed();
    if (why) throw new Error(`server exited before listening: ${why}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    await sleep(100);
  }
  throw new Error(`server not listening on ${port} after ${timeoutMs} ms`);
}

export async function launchRealServer(kind: TargetKind, shape: PopulationShape, runId: string, nodeFlags: string[], root = REPO_ROOT): Promise<RunningTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-bench-'));
  const dbPath = join(dir, 'bench.db');
  const started = performance.now();
  const seeded = await seedDatabase(dbPath, shape, runId, root);
  const seedMs = performance.now() - started;
  const port = await freePort();
  // The generator opens thousands of sockets from a few loopback addresses: the socket caps are off (a server without them ignores these).
  const caps = { MAX_SOCKETS: '0', MAX_SOCKETS_PER_ADDRESS: '0', MAX_PENDING_SOCKETS_PER_ADDRESS: '0' };
  const child = spawnTsChild(join(root, 'server/main.ts'), [], { PORT: String(port), HOST: '127.0.0.1', DB_PATH: dbPath, DURABILITY: 'normal', LOG_LEVEL: 'warn', NODE_ENV: 'production', ...caps }, nodeFlags);
  const output = { tail: '' };
  drainOutput(child, output);
  const failure = (): string | null => (child.exitCode !== null || child.signalCode !== null ? `exited ${child.exitCode ?? child.signalCode}: ${output.tail}` : null);
  await waitForPort(port, 30_000, failure);
  return {
    kind,
    pid: child.pid!,
    url: `ws://127.0.0.1:${port}/ws`,
    transport: 'protocol',
    seeded,
    seedMs,
    failure,
    stop: async () => {
      await stopChild(child, 5000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

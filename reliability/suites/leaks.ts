import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { encodeFrame } from '../../src/protocol/index';
import { closeDatabase, openDatabase } from '../../server/storage/database';
import { Seeder } from '../../server/storage/seed';
import { startChild, type ChildServer } from '../lib/child-server';
import { Report } from '../lib/results';
import { sleep, waitFor } from '../lib/wait';
import { seedWorld, type World } from '../lib/world';

/**
 * Leaks: many connect / register / login(token) / subscribe / disconnect
 * cycles against the server in a child process (run with --expose-gc); its
 * heap after forced GC, active handles and open file descriptors must end
 * where they started, within the stated tolerance.
 */
export interface LeakSize {
  cycles: number;
  warmup: number;
  concurrency: number;
}

export const LEAK_SIZES: Record<'ci' | 'long', LeakSize> = {
  ci: { cycles: 1000, warmup: 300, concurrency: 10 },
  long: { cycles: 20_000, warmup: 1000, concurrency: 20 },
};

/** Allowed growth: heap after GC, handles and descriptors. */
export const LEAK_TOLERANCE = { heapBytes: 3 * 1024 * 1024, handles: 2, fds: 2 };

interface Measure {
  heapUsed: number;
  rss: number;
  handles: number;
  fds: number;
  connections: number;
}

function measure(child: ChildServer): Promise<Measure> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no measurement within 10 s')), 10_000);
    child.proc.once('message', (m) => {
      clearTimeout(timer);
      resolve(m as Measure);
    });
    child.proc.send('measure');
  });
}

/** One cycle; resolves once the socket is closed (cleanly or cut). */
function cycle(url: string, world: World, n: number): Promise<boolean> {
  const user = world.users[n % world.users.length]!;
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    let subscribed = 0;
    const timer = setTimeout(() => ws.terminate(), 5000);
    ws.on('open', () => {
      ws.send(encodeFrame('ClientRegistrationCommand', { clientInformation: { clientMedium: 'web' } }));
      ws.send(encodeFrame('AccountLoginCommand', { userInformation: { sessionToken: user.token } }));
      for (const resource of ['contacts', 'conversations', `messages:${world.groupId}`]) ws.send(encodeFrame('SubscribeCommand', { resource }));
    });
    ws.on('message', (data) => {
      if (data.toString().includes('SubscribeResponse') && ++subscribed === 3) {
        // Half leave politely, half just vanish.
        if (n % 2) ws.close();
        else ws.terminate();
      }
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      clearTimeout(timer);
      resolve(subscribed === 3);
    });
  });
}

async function run(url: string, world: World, count: number, concurrency: number, offset: number): Promise<number> {
  let next = 0;
  let ok = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const n = next++;
        if (await cycle(url, world, offset + n)) ok++;
      }
    }),
  );
  return ok;
}

export async function runLeaks(size: LeakSize, log: (line: string) => void = () => {}): Promise<Report> {
  const report = new Report('leaks', size === LEAK_SIZES.long ? 'long' : 'ci', null, log);
  const dir = mkdtempSync(join(tmpdir(), 'tidings-leaks-'));
  let child: ChildServer | null = null;
  try {
    const dbPath = join(dir, 'tidings.db');
    const db = openDatabase(dbPath, 'normal');
    const world = await seedWorld(new Seeder(db), 20, 'leak');
    closeDatabase(db);
    child = await startChild({ dbPath, script: 'reliability/lib/leak-server.ts', nodeFlags: ['--expose-gc'], ipc: true });
    const c = child;
    const settle = async (): Promise<Measure> => {
      let m = await measure(c);
      await waitFor(() => m.connections === 0, 'the server to close every socket', 10_000, 100).catch(() => {});
      for (let i = 0; i < 50 && m.connections > 0; i++) {
        await sleep(100);
        m = await measure(c);
      }
      await sleep(300);
      return measure(c);
    };
    await run(c.wsUrl, world, size.warmup, size.concurrency, 0);
    const before = await settle();
    const started = Date.now();
    const ok = await run(c.wsUrl, world, size.cycles, size.concurrency, size.warmup);
    const seconds = (Date.now() - started) / 1000;
    const after = await settle();
    const row = report.row('connect/login/subscribe/disconnect cycles', `${size.cycles} cycles (${size.concurrency} at a time, half closed cleanly, half cut) after ${size.warmup} warm-up; heap after forced GC, handles, fds`);
    row.count = size.cycles;
    if (ok !== size.cycles) report.fail(row, `${size.cycles - ok} cycles did not complete login and 3 subscriptions`);
    const heapGrowth = after.heapUsed - before.heapUsed;
    if (heapGrowth > LEAK_TOLERANCE.heapBytes) report.fail(row, `heap grew by ${(heapGrowth / 2 ** 20).toFixed(2)} MiB (tolerance ${LEAK_TOLERANCE.heapBytes / 2 ** 20} MiB)`);
    if (after.handles - before.handles > LEAK_TOLERANCE.handles) report.fail(row, `active handles ${before.handles} -> ${after.handles}`);
    if (after.fds - before.fds > LEAK_TOLERANCE.fds) report.fail(row, `open fds ${before.fds} -> ${after.fds}`);
    if (after.connections !== 0) report.fail(row, `${after.connections} connections still counted`);
    row.figures = {
      heapBeforeMiB: Number((before.heapUsed / 2 ** 20).toFixed(2)),
      heapAfterMiB: Number((after.heapUsed / 2 ** 20).toFixed(2)),
      heapGrowthKiB: Math.round(heapGrowth / 1024),
      handlesBefore: before.handles,
      handlesAfter: after.handles,
      fdsBefore: before.fds,
      fdsAfter: after.fds,
      rssAfterMiB: Math.round(after.rss / 2 ** 20),
      cyclesPerSecond: Math.round(size.cycles / seconds),
    };
    report.note(`leaks: ${JSON.stringify(row.figures)}`);
  } finally {
    await child?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return report;
}

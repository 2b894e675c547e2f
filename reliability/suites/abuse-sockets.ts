import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type WebSocket from 'ws';
import { encodeFrame } from '../../src/protocol/index';
import { closeDatabase, openDatabase } from '../../server/storage/database';
import { Seeder } from '../../server/storage/seed';
import { isOpen, logIn, metric, rssBytes, stopReading, upgradeFrom, type Upgraded } from '../lib/abuse-socket';
import { startChild, type ChildServer } from '../lib/child-server';
import { Report } from '../lib/results';
import { sleep, within } from '../lib/wait';
import { seedWorld, type World } from '../lib/world';

/**
 * Abuse of the socket gateway by clients with and without an account, on
 * the real server process: sockets that never read their replies, sockets
 * that never log in (silent, pinging, or answering WebSocket pings), a flood
 * of upgrades from many addresses, WebSocket control frames past the rate
 * limit, and one account opening socket after socket. Each row says what
 * the server holds (memory, sockets) and whether a well-behaved client from
 * another address is still served. Every source address is on loopback.
 */
export interface AbuseSocketsSize {
  /** Sockets that pipeline history pages and never read. */
  slowReaders: number;
  pagesEach: number;
  /** Upgrades from one address that never log in. */
  idleSockets: number;
  /** Addresses flooding upgrades, and upgrades from each. */
  floodAddresses: number;
  floodEach: number;
  /** Logins of one account. */
  sameUserSockets: number;
}

export const ABUSE_SOCKETS_SIZES: Record<'ci' | 'long', AbuseSocketsSize> = {
  ci: { slowReaders: 4, pagesEach: 15, idleSockets: 100, floodAddresses: 40, floodEach: 15, sameUserSockets: 25 },
  long: { slowReaders: 20, pagesEach: 40, idleSockets: 2000, floodAddresses: 50, floodEach: 100, sameUserSockets: 200 },
};

/** The server's limits in this suite (small, so that they bite at CI size). */
const LIMITS = {
  MAX_BUFFERED_BYTES: 1024 * 1024,
  MAX_SOCKETS: 300,
  MAX_SOCKETS_PER_ADDRESS: 40,
  MAX_PENDING_SOCKETS_PER_ADDRESS: 10,
  MAX_SOCKETS_PER_USER: 8,
  LOGIN_DEADLINE_MS: 1500,
};
/** A history page of 200 messages of 4,000 characters: about 0.9 MB of JSON. */
const PAGE = { messages: 200, chars: 4000 };
/**
 * Allowed growth of the server's RSS while slow readers are being cut: per
 * socket its buffer cap, the page being written and the one being read
 * (under 4 MiB), plus 48 MiB of the allocator's and SQLite's slack.
 */
function rssGrowthLimit(slowReaders: number): number {
  return (48 + 4 * slowReaders) * 1024 * 1024;
}

export async function runAbuseSockets(size: AbuseSocketsSize, log: (line: string) => void = () => {}): Promise<Report> {
  const report = new Report('abuse-sockets', size === ABUSE_SOCKETS_SIZES.long ? 'long' : 'ci', null, log);
  const dir = mkdtempSync(join(tmpdir(), 'tidings-abuse-'));
  let child: ChildServer | null = null;
  const sockets: WebSocket[] = [];
  const keep = (u: Upgraded): Upgraded => {
    if (isOpen(u)) sockets.push(u.ws);
    return u;
  };
  try {
    const dbPath = join(dir, 'tidings.db');
    const db = openDatabase(dbPath, 'normal');
    const world = await seedWorld(new Seeder(db), 40, 'abuse');
    new Seeder(db).messages(world.groupId, Array.from({ length: PAGE.messages }, (_, i) => ({ senderId: world.users[0]!.id, body: `${i} ${'x'.repeat(PAGE.chars - 8)}` })));
    closeDatabase(db);
    const env = Object.fromEntries(Object.entries(LIMITS).map(([k, v]) => [k, String(v)]));
    child = await startChild({ dbPath, env });
    const c = child;
    const pid = c.proc.pid!;

    // A well-behaved client on its own address, asked after each attack.
    const sentinel = keep(await upgradeFrom(c.wsUrl, '127.0.0.2'));
    if (!isOpen(sentinel) || !(await logIn(sentinel.ws, world.users[1]!.token))) throw new Error('the sentinel could not log in');
    const served = report.row('a well-behaved client is served throughout', 'a logged-in socket on 127.0.0.2 pings after every attack, and a new one opens and logs in');
    const checkServed = async (after: string): Promise<void> => {
      served.count++;
      const pong = await within(ping(sentinel.ws), 5000, 'the sentinel ping').catch(() => false);
      if (!pong) report.fail(served, `the sentinel got no pong after ${after}`);
      const fresh = await upgradeFrom(c.wsUrl, '127.0.0.2');
      if (!isOpen(fresh)) report.fail(served, `a new socket on 127.0.0.2 was refused with ${fresh.status} after ${after}`);
      else {
        if (!(await logIn(fresh.ws, world.users[2]!.token))) report.fail(served, `a new socket could not log in after ${after}`);
        fresh.ws.close();
      }
    };

    await slowReaders(report, c, pid, world, size, keep);
    await checkServed('slow readers');
    await idleSockets(report, c, size, world, keep);
    await checkServed('idle sockets');
    await upgradeFlood(report, c, size, world, keep);
    await checkServed('the upgrade flood');
    await controlFlood(report, c, world, keep);
    await sameUser(report, c, world, size, keep);
    await checkServed('control frames and one account');
  } finally {
    for (const ws of sockets) ws.terminate();
    await child?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return report;
}

type Keep = (u: Upgraded) => Upgraded;

function ping(ws: WebSocket): Promise<boolean> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      if (!data.toString().includes('PongResponse')) return;
      ws.off('message', onMessage);
      resolve(true);
    };
    ws.on('message', onMessage);
    ws.send(encodeFrame('PingCommand', {}));
  });
}

/** Logged-in sockets that pipeline history pages and never read: each must be closed, and the server's memory must stay bounded. */
async function slowReaders(report: Report, c: ChildServer, pid: number, world: World, size: AbuseSocketsSize, keep: Keep): Promise<void> {
  const row = report.row(
    'replies to sockets that do not read',
    `${size.slowReaders} logged-in sockets (one address each) pipeline ${size.pagesEach} history pages of ~0.9 MB and never read; MAX_BUFFERED_BYTES=${LIMITS.MAX_BUFFERED_BYTES}`,
  );
  const before = rssBytes(pid);
  const closes: Promise<number>[] = [];
  for (let i = 0; i < size.slowReaders; i++) {
    const u = keep(await upgradeFrom(c.wsUrl, `127.0.1.${i + 1}`));
    if (!isOpen(u) || !(await logIn(u.ws, world.users[10 + (i % 20)]!.token))) {
      report.fail(row, `slow reader ${i} could not log in`);
      continue;
    }
    stopReading(u.ws);
    // In one write: the server decodes them all in one turn, before any answer is written.
    const raw = (u.ws as unknown as { _socket: Socket })._socket;
    raw.cork();
    for (let p = 0; p < size.pagesEach; p++) u.ws.send(encodeFrame('GetMessagesCommand', { conversationId: world.groupId, limit: PAGE.messages, requestId: `p${p}` }));
    raw.uncork();
    closes.push(u.closed);
  }
  row.count = size.slowReaders * size.pagesEach;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 20);
  try {
    let cut = 0;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && cut < size.slowReaders) {
      cut = await metric(c.url, 'tidings_socket_limit_total', 'reason="too_slow"');
      await sleep(100);
    }
    if (cut < size.slowReaders) report.fail(row, `${size.slowReaders - cut} of ${size.slowReaders} slow readers still open after 20 s`);
    const pages = await metric(c.url, 'tidings_commands_total', 'command="GetMessagesCommand"');
    row.figures = {
      socketsCut: cut,
      pagesRequested: size.slowReaders * size.pagesEach,
      pagesRead: pages,
      rssBeforeMiB: mib(before),
      rssPeakMiB: mib(peak),
      rssGrowthMiB: mib(peak - before),
      requestedMiB: Math.round((size.slowReaders * size.pagesEach * PAGE.messages * PAGE.chars) / 2 ** 20),
    };
    const limit = rssGrowthLimit(size.slowReaders);
    if (peak - before > limit) report.fail(row, `server RSS grew by ${mib(peak - before)} MiB (limit ${mib(limit)})`);
  } finally {
    clearInterval(sampler);
  }
}

/** Sockets from one address that never log in: silent, pinging by command, pinging by WebSocket ping. At most the pending cap is admitted, and none outlives the deadline. */
async function idleSockets(report: Report, c: ChildServer, size: AbuseSocketsSize, world: World, keep: Keep): Promise<void> {
  const row = report.row(
    'sockets that never log in',
    `${size.idleSockets} upgrades from 127.0.2.1 that never log in (a third silent, a third sending PingCommand, a third WebSocket pings); MAX_PENDING_SOCKETS_PER_ADDRESS=${LIMITS.MAX_PENDING_SOCKETS_PER_ADDRESS}, LOGIN_DEADLINE_MS=${LIMITS.LOGIN_DEADLINE_MS}`,
  );
  row.count = size.idleSockets;
  const admitted: { ws: WebSocket; closed: Promise<number> }[] = [];
  let withRetryAfter = 0;
  // The cap bounds the sockets pending at once; the deadline frees slots, so a long run admits more in all.
  let mostAtOnce = 0;
  for (let i = 0; i < size.idleSockets; i++) {
    const u = keep(await upgradeFrom(c.wsUrl, '127.0.2.1'));
    if (isOpen(u)) {
      admitted.push(u);
      mostAtOnce = Math.max(mostAtOnce, openCount(admitted));
    } else {
      if (u.status === 429 && u.retryAfter !== undefined) withRetryAfter++;
      else report.fail(row, `refused with ${u.status} and Retry-After ${String(u.retryAfter)}`);
    }
  }
  if (mostAtOnce > LIMITS.MAX_PENDING_SOCKETS_PER_ADDRESS) report.fail(row, `${mostAtOnce} sockets open at once, over the pending cap of ${LIMITS.MAX_PENDING_SOCKETS_PER_ADDRESS}`);
  const keepAlive = setInterval(() => {
    admitted.forEach((a, i) => {
      if (a.ws.readyState !== a.ws.OPEN) return;
      if (i % 3 === 1) a.ws.send(encodeFrame('PingCommand', {}));
      if (i % 3 === 2) a.ws.ping();
    });
  }, 200);
  try {
    const codes = await within(Promise.all(admitted.map((a) => a.closed)), LIMITS.LOGIN_DEADLINE_MS * 4 + 5000, 'the idle sockets to be closed').catch(() => null);
    if (!codes) report.fail(row, 'idle sockets still open long after the login deadline');
    else for (const code of codes) if (code !== 4408) report.fail(row, `an idle socket was closed with ${code}, not 4408`);
    // The deadline freed the address: a real client from it logs in.
    const after = keep(await upgradeFrom(c.wsUrl, '127.0.2.1'));
    if (!isOpen(after) || !(await logIn(after.ws, world.users[3]!.token))) report.fail(row, 'the address could not log in once its idle sockets were closed');
    row.figures = { admitted: admitted.length, mostAtOnce, refused429: withRetryAfter, closed4408: codes?.filter((c) => c === 4408).length ?? 0 };
  } finally {
    clearInterval(keepAlive);
  }
}

/** Upgrades from many addresses at once: per-address caps hold per address, the process cap holds overall, refusals are cheap HTTP answers. */
async function upgradeFlood(report: Report, c: ChildServer, size: AbuseSocketsSize, world: World, keep: Keep): Promise<void> {
  const row = report.row(
    'an upgrade flood from many addresses',
    `${size.floodAddresses} addresses x ${size.floodEach} upgrades at once, never logging in, then a newcomer logs in; MAX_SOCKETS=${LIMITS.MAX_SOCKETS}`,
  );
  row.count = size.floodAddresses * size.floodEach;
  const openBefore = await metric(c.url, 'tidings_connections');
  // Per address the most sockets open at once (the deadline frees slots during a long flood); overall, the server's own count, sampled.
  const mostPerAddress: number[] = [];
  let mostOverall = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      mostOverall = Math.max(mostOverall, await metric(c.url, 'tidings_connections'));
      await sleep(20);
    }
  })();
  const results = await Promise.all(
    Array.from({ length: size.floodAddresses }, (_, a) => {
      const mine: { ws: WebSocket }[] = [];
      mostPerAddress[a] = 0;
      return Promise.all(
        Array.from({ length: size.floodEach }, () =>
          upgradeFrom(c.wsUrl, `127.0.3.${a + 1}`).then((u) => {
            keep(u);
            if (isOpen(u)) {
              mine.push(u);
              mostPerAddress[a] = Math.max(mostPerAddress[a]!, openCount(mine));
            }
            return u;
          }),
        ),
      );
    }),
  );
  sampling = false;
  await sampler;
  const statuses: Record<string, number> = {};
  let admitted = 0;
  results.forEach((perAddress, a) => {
    admitted += perAddress.filter(isOpen).length;
    if (mostPerAddress[a]! > LIMITS.MAX_PENDING_SOCKETS_PER_ADDRESS) report.fail(row, `address 127.0.3.${a + 1} had ${mostPerAddress[a]} sockets open at once, over the pending cap`);
    for (const u of perAddress) if (!isOpen(u)) statuses[u.status] = (statuses[u.status] ?? 0) + 1;
  });
  if (mostOverall > LIMITS.MAX_SOCKETS) report.fail(row, `the server held ${mostOverall} sockets at once, over MAX_SOCKETS`);
  for (const status of Object.keys(statuses)) if (status !== '429' && status !== '503') report.fail(row, `${statuses[status]} upgrades refused with ${status}`);
  const openPeak = await metric(c.url, 'tidings_connections');
  // The process is full of sockets that never log in: a newcomer still gets in (the longest-waiting one makes room) and logs in.
  const newcomer = keep(await upgradeFrom(c.wsUrl, '127.0.0.2'));
  const newcomerIn = isOpen(newcomer) && (await logIn(newcomer.ws, world.users[6]!.token));
  if (!newcomerIn) report.fail(row, `a newcomer during the flood was ${isOpen(newcomer) ? 'admitted but could not log in' : `refused with ${newcomer.status}`}`);
  if (openPeak > LIMITS.MAX_SOCKETS) report.fail(row, `${openPeak} sockets open, over MAX_SOCKETS`);
  const all = results.flat().filter(isOpen);
  const codes = await within(Promise.all(all.map((u) => u.closed)), LIMITS.LOGIN_DEADLINE_MS * 4 + 5000, 'the flood to be closed').catch(() => null);
  if (!codes) report.fail(row, 'flood sockets still open long after the login deadline');
  row.figures = { admitted, serverPeakSampled: mostOverall, openBefore, openAfterFlood: openPeak, newcomerDuringFlood: newcomerIn ? 'logged in' : isOpen(newcomer) ? 'admitted' : newcomer.status, evicted: await metric(c.url, 'tidings_socket_limit_total', 'reason="evicted_for_room"'), ...Object.fromEntries(Object.entries(statuses).map(([s, n]) => [`refused${s}`, n])) };
}

/** A logged-in socket flooding WebSocket pings and pongs (which skip the command path): closed with 1008. */
async function controlFlood(report: Report, c: ChildServer, world: World, keep: Keep): Promise<void> {
  const row = report.row('WebSocket control frames past the rate limit', 'a logged-in socket sends pings and unsolicited pongs at ~2,000/s for up to 20 s');
  const u = keep(await upgradeFrom(c.wsUrl, '127.0.4.1'));
  if (!isOpen(u) || !(await logIn(u.ws, world.users[4]!.token))) {
    report.fail(row, 'could not log in');
    return;
  }
  let sent = 0;
  const flood = setInterval(() => {
    if (u.ws.readyState !== u.ws.OPEN || sent >= 40_000) return;
    for (let i = 0; i < 10; i++) {
      u.ws.ping();
      u.ws.pong();
      sent += 2;
    }
  }, 10);
  try {
    const code = await within(u.closed, 25_000, 'the control-frame flood to be closed').catch(() => null);
    row.count = sent;
    if (code !== 1008) report.fail(row, `the flooding socket ended with ${String(code)}, not 1008`);
    row.figures = { controlFramesSent: sent, closeCode: code ?? 'open' };
  } finally {
    clearInterval(flood);
  }
}

/** One account logging in on socket after socket: the cap's worth stay, the rest are closed with 4429. */
async function sameUser(report: Report, c: ChildServer, world: World, size: AbuseSocketsSize, keep: Keep): Promise<void> {
  const row = report.row('one account, many sockets', `${size.sameUserSockets} logins of one account from ${Math.ceil(size.sameUserSockets / 20)} addresses; MAX_SOCKETS_PER_USER=${LIMITS.MAX_SOCKETS_PER_USER}`);
  row.count = size.sameUserSockets;
  const user = world.users[5]!;
  const outcomes: { ws: WebSocket; closed: Promise<number> }[] = [];
  for (let i = 0; i < size.sameUserSockets; i++) {
    const u = keep(await upgradeFrom(c.wsUrl, `127.0.5.${Math.floor(i / 20) + 1}`));
    if (!isOpen(u)) {
      report.fail(row, `login ${i} was refused at upgrade with ${u.status}`);
      continue;
    }
    await logIn(u.ws, user.token);
    outcomes.push(u);
  }
  // A socket answers a ping after its login only if the server kept it; one it closed gets the close instead.
  const closedCodes = await Promise.all(outcomes.map((o) => Promise.race([o.closed, ping(o.ws).then(() => null)])));
  const stayed = closedCodes.filter((code) => code === null).length;
  const tooMany = closedCodes.filter((code) => code === 4429).length;
  if (stayed > LIMITS.MAX_SOCKETS_PER_USER) report.fail(row, `${stayed} sockets of one account open, over the cap of ${LIMITS.MAX_SOCKETS_PER_USER}`);
  if (stayed + tooMany !== outcomes.length) report.fail(row, `${outcomes.length - stayed - tooMany} sockets closed with another code`);
  row.figures = { stayedOpen: stayed, closed4429: tooMany };
}

function openCount(sockets: { ws: WebSocket }[]): number {
  return sockets.filter((s) => s.ws.readyState === s.ws.OPEN).length;
}

function mib(bytes: number): number {
  return Math.round(bytes / 2 ** 20);
}

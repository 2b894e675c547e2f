import { closeSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../server/app';
import type { ServerOptions } from '../../server/config';
import { CHEAP_SCRYPT, TEST_PASSWORD, testPasswordHash } from '../../server/test/harness';
import { ProtocolClient } from '../../server/test/protocol-client';
import { abortedDownload, closedWithin, eventually, exchange, fdsOn, openFds, openSocket, stalledDownload, statusOf } from '../lib/raw-http';
import { Report } from '../lib/results';

/**
 * The HTTP side as an attacker with no account uses it: downloads cut off
 * or never read, /healthz hammered, requests that never finish, more
 * connections than the server can hold, cross-site requests to the routes
 * that act (/clear-site-data, /__test__/), /metrics from outside, and the
 * odd requests of a scanner (huge URLs, traversal, unknown methods). Every
 * server runs in this process, so its descriptors are this process's.
 */
export interface AbuseHttpSize {
  /** Downloads cut off after their first bytes. */
  aborts: number;
  /** Of those, how many run at once. */
  abortConcurrency: number;
  /** Downloads never read, all at once. */
  stalls: number;
  /** GET /healthz requests (50 at a time). */
  healthGets: number;
  /** Session rows written on the main connection in one run, 20 per turn of the event loop. */
  stormWrites: number;
  /** Clients that send half a request and wait. */
  slowClients: number;
  /** Rounds of the cross-site and exposure checks. */
  rounds: number;
}

export const ABUSE_HTTP_SIZES: Record<'ci' | 'long', AbuseHttpSize> = {
  ci: { aborts: 120, abortConcurrency: 20, stalls: 20, healthGets: 600, stormWrites: 20_000, slowClients: 20, rounds: 1 },
  long: { aborts: 3000, abortConcurrency: 100, stalls: 200, healthGets: 20_000, stormWrites: 60_000, slowClients: 300, rounds: 20 },
};

/** The size of the source map whose aborted downloads leaked descriptors. */
const BIG_FILE_BYTES = 1_600_000;
/** Bigger than what the kernel buffers on loopback for a socket nobody reads, so the server is still sending when the client stalls. */
const STALL_FILE_BYTES = 24_000_000;
/** Ceiling on every wait for the server to do something (a loaded machine; never a timing claim). */
const BOUND_MS = 15_000;

function makeDist(): string {
  const dist = mkdtempSync(join(tmpdir(), 'tidings-abuse-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Tidings</title>');
  const big = 'x'.repeat(BIG_FILE_BYTES);
  writeFileSync(join(dist, 'assets', 'app-big.js'), big);
  writeFileSync(join(dist, 'assets', 'app-huge.js'), Buffer.alloc(STALL_FILE_BYTES, 'y'));
  writeFileSync(join(dist, 'assets', 'app-big.js.map'), `{"version":3,"mappings":"${big}"}`);
  return dist;
}

export async function runAbuseHttp(size: AbuseHttpSize, log: (line: string) => void = () => {}): Promise<Report> {
  const report = new Report('abuse-http', size === ABUSE_HTTP_SIZES.long ? 'long' : 'ci', null, log);
  const dist = makeDist();
  const dataDir = mkdtempSync(join(tmpdir(), 'tidings-abuse-db-'));
  const servers: RunningServer[] = [];
  const sockets: Socket[] = [];
  const serve = async (options: ServerOptions = {}): Promise<RunningServer> => {
    const s = await startServer({ port: 0, host: '127.0.0.1', dbPath: ':memory:', logLevel: 'silent', scrypt: CHEAP_SCRYPT, distDir: dist, ...options });
    servers.push(s);
    return s;
  };
  try {
    const plain = await serve();
    await abortedDownloads(report, plain, size);
    await sourceMaps(report, plain);
    await stalledReaders(report, await serve({ httpIdleTimeoutMs: 1000 }), size, sockets);
    await healthWrites(report, await serve({ dbPath: join(dataDir, 'health.db') }), size);
    await walBound(report, await serve({ dbPath: join(dataDir, 'wal.db'), walSizeLimitBytes: 1024 * 1024 }));
    await walStorm(report, await serve({ dbPath: join(dataDir, 'storm.db') }), size);
    await slowRequests(report, await serve({ httpHeadersTimeoutMs: 500, httpRequestTimeoutMs: 1000 }), size, sockets);
    await connectionCap(report, await serve({ maxConnections: 5, httpHeadersTimeoutMs: 60_000, httpRequestTimeoutMs: 60_000 }), sockets);
    await clearSiteData(report, plain, size);
    await sessionCookie(report, plain, size);
    await exposureHeaders(report, plain, await serve({ behindTls: true }), size);
    await metricsAccess(report, plain, await serve({ metricsAccess: 'off' }), await serve({ metricsAccess: 'token', metricsToken: 'a-long-random-metrics-token' }));
    await testControls(report, await serve({ mock: true }), size);
    await sessionPurge(report, await serve({ sessionPurgeIntervalMs: 100 }));
    await scannerRequests(report, plain, size);
  } finally {
    for (const s of sockets) s.destroy();
    for (const s of servers) await s.close();
    rmSync(dist, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
  return report;
}

/** Finding: a download cut off mid-file kept its file open for good (98 of 100 leaked; EMFILE killed the process at ulimit -n 256). */
async function abortedDownloads(report: Report, s: RunningServer, size: AbuseHttpSize): Promise<void> {
  const row = report.row('aborted downloads close their files', `GET of a ${BIG_FILE_BYTES / 1e6} MB file, socket destroyed at the first bytes, ${size.abortConcurrency} at a time; the process's open descriptors counted before and after`);
  const before = openFds();
  for (let done = 0; done < size.aborts; done += size.abortConcurrency) {
    const batch = Math.min(size.abortConcurrency, size.aborts - done);
    await Promise.all(Array.from({ length: batch }, () => abortedDownload(s.port, '/assets/app-big.js')));
    row.count += batch;
  }
  // A few descriptors may still be closing; the bound is generous, a leak is one per download.
  const settled = await eventually(() => openFds() <= before + 5, BOUND_MS);
  const after = openFds();
  row.figures = { fdsBefore: before, fdsAfter: after };
  if (!settled) report.fail(row, `${after - before} descriptors still open after ${row.count} aborted downloads`);
  const res = await fetch(`${s.url}/`);
  if (res.status !== 200) report.fail(row, `the server answered ${res.status} afterwards`);
  await res.arrayBuffer();
}

/** Source maps are for development; the server never hands them out (and the build makes none). */
async function sourceMaps(report: Report, s: RunningServer): Promise<void> {
  const row = report.row('source maps not served', 'GET and HEAD of a .map file that exists in dist/assets: 404');
  for (const method of ['GET', 'HEAD']) {
    row.count++;
    const res = await fetch(`${s.url}/assets/app-big.js.map`, { method });
    await res.arrayBuffer();
    if (res.status !== 404) report.fail(row, `${method} answered ${res.status}`);
  }
}

/** A client that asks for a file and never reads it holds the file open and a buffer; the idle timeout gives them back. */
async function stalledReaders(report: Report, s: RunningServer, size: AbuseHttpSize, sockets: Socket[]): Promise<void> {
  const row = report.row('downloads never read are cut off', `${size.stalls} GETs at once of a ${STALL_FILE_BYTES / 1e6} MB file whose answers are never read (idle timeout 1 s): the server lets go of every one (its descriptors on the file counted)`);
  const file = join(s.config.distDir, 'assets', 'app-huge.js');
  const stalled = await Promise.all(Array.from({ length: size.stalls }, () => stalledDownload(s.port, '/assets/app-huge.js')));
  sockets.push(...stalled);
  row.count = stalled.length;
  // Each answer has begun (a paused socket still takes in its first bytes), so the server has opened
  // the file for every one; a stalled socket then keeps it open until the server gives up on it.
  const started = await eventually(() => stalled.every((sock) => sock.bytesRead > 0), BOUND_MS);
  const peak = fdsOn(file);
  const released = await eventually(() => fdsOn(file) === 0, BOUND_MS);
  row.figures = { filesOpenOnceStarted: peak, filesStillOpen: fdsOn(file) };
  if (!started) report.fail(row, `${stalled.filter((sock) => sock.bytesRead === 0).length} downloads never started`);
  if (!released) report.fail(row, `${fdsOn(file)} of ${stalled.length} stalled downloads still hold the file open after ${BOUND_MS} ms`);
  for (const sock of stalled) sock.destroy();
}

function walBytes(s: RunningServer): number {
  try {
    return statSync(`${s.config.dbPath}-wal`).size;
  } catch {
    return 0;
  }
}

/** Finding: every GET /healthz wrote ~40 KB to the WAL (3,000 GETs: +118 MiB), for anyone. */
async function healthWrites(report: Report, s: RunningServer, size: AbuseHttpSize): Promise<void> {
  const row = report.row('/healthz costs no write per request', `${size.healthGets} GET /healthz, 50 at a time, on a database file: WAL growth at most one probe per cache period`);
  const first = await fetch(`${s.url}/healthz`);
  await first.arrayBuffer();
  if (first.status !== 200) report.fail(row, `/healthz answered ${first.status} before the run`);
  const before = walBytes(s);
  const changesBefore = totalChanges(s);
  const started = Date.now();
  for (let done = 0; done < size.healthGets; done += 50) {
    const batch = Math.min(50, size.healthGets - done);
    const statuses = await Promise.all(
      Array.from({ length: batch }, async () => {
        const res = await fetch(`${s.url}/healthz`);
        await res.arrayBuffer();
        return res.status;
      }),
    );
    row.count += batch;
    const bad = statuses.filter((st) => st !== 200).length;
    if (bad) report.fail(row, `${bad} answers were not 200`);
  }
  const elapsed = Date.now() - started;
  // One probe is three row changes; at most one probe per period started, plus the one in flight.
  const probes = (totalChanges(s) - changesBefore) / 3;
  const allowed = Math.ceil(elapsed / s.config.healthCacheMs) + 1;
  row.figures = { walGrowthBytes: walBytes(s) - before, probes, allowedProbes: allowed, elapsedMs: elapsed };
  if (!(probes <= allowed)) report.fail(row, `${probes} probes written for ${row.count} requests in ${elapsed} ms (at most ${allowed})`);
}

function totalChanges(s: RunningServer): number {
  return s.db.prepare('SELECT total_changes()').pluck().get() as number;
}

/** Finding: the WAL only ever grew (206 -> 824 MB in 2 s); after any burst it must come back to its limit. */
async function walBound(report: Report, s: RunningServer): Promise<void> {
  const limit = s.config.walSizeLimitBytes;
  const row = report.row('the WAL returns to its size limit', `the WAL grown past 8 x the limit (${limit} bytes) by main-connection writes, then ordinary traffic (a /healthz poll, a login's session row): the file is back under the limit`);
  s.db.exec('CREATE TABLE IF NOT EXISTS abuse_scratch (x BLOB)');
  const insert = s.db.prepare('INSERT INTO abuse_scratch (x) VALUES (randomblob(4000))');
  for (let i = 0; i < 2500 && walBytes(s) < 8 * limit; i++) insert.run();
  s.db.exec('DELETE FROM abuse_scratch');
  const peak = walBytes(s);
  row.count = 1;
  if (peak < 8 * limit) report.fail(row, `the WAL reached only ${peak} bytes`);
  const touch = s.db.prepare('INSERT OR REPLACE INTO health_probe (id, at) VALUES (3, ?)');
  const back = await eventually(() => {
    touch.run(Date.now());
    return walBytes(s) <= limit;
  }, BOUND_MS, 200);
  row.figures = { peakBytes: peak, afterBytes: walBytes(s), limitBytes: limit };
  if (!back) report.fail(row, `the WAL is still ${walBytes(s)} bytes (limit ${limit})`);
}

/**
 * The same for writes the clients' logins make (a session row each) on the
 * main connection: a checkpoint on another thread never caught up with them
 * (12,000 a second: 788 MiB of WAL in 4 s, never rewound). The main
 * connection's backstop checkpoint has the WAL start over whatever their
 * rate. Counted as rewinds rather than bounded by size: how far the WAL gets
 * past the backstop depends on when the other threads' checkpoints hold the
 * lock, which a loaded machine decides.
 */
async function walStorm(report: Report, s: RunningServer, size: AbuseHttpSize): Promise<void> {
  const limit = Math.max(s.config.walSizeLimitBytes, 16_000 * 4096);
  const row = report.row('the WAL rewinds under a run of main-connection writes', `${size.stormWrites} session rows inserted as logins do, 20 per turn of the event loop (~13 KB of WAL each): the WAL starts over at least twice (~4 times the limit written), and never reaches 3 x its limit (${limit} bytes)`);
  const [user] = s.seeder.users([{ username: 'storm.user', passwordHash: 'x' }]) as [string];
  const rewindsBefore = walRewinds(s);
  let peak = 0;
  for (let i = 0; i < size.stormWrites; i++) {
    s.storage.sessions.insert({ tokenHash: `storm-${i}`, userId: user, publicComputer: false, createdAt: 1, lastUsedAt: 1 });
    row.count++;
    if (i % 20 === 19) {
      peak = Math.max(peak, walBytes(s));
      await new Promise((r) => setImmediate(r));
    }
  }
  peak = Math.max(peak, walBytes(s));
  const rewinds = walRewinds(s) - rewindsBefore;
  row.figures = { peakWalBytes: peak, limitBytes: limit, rewinds };
  if (rewinds < 2) report.fail(row, `the WAL started over ${rewinds} times in ${row.count} writes (it reached ${peak} bytes)`);
  if (peak >= 3 * limit) report.fail(row, `the WAL reached ${peak} bytes (limit ${limit})`);
}

/** How often the WAL has started over: its header's checkpoint sequence number (bytes 12-15), which SQLite increments at each rewind. */
function walRewinds(s: RunningServer): number {
  const fd = openSync(`${s.config.dbPath}-wal`, 'r');
  try {
    const header = Buffer.alloc(16);
    return readSync(fd, header, 0, 16, 0) === 16 ? header.readUInt32BE(12) : 0;
  } finally {
    closeSync(fd);
  }
}

/** Finding 7: half a request line kept its socket for 60-90 s; upgrades the same. */
async function slowRequests(report: Report, s: RunningServer, size: AbuseHttpSize, sockets: Socket[]): Promise<void> {
  const row = report.row('unfinished requests are cut off', `${size.slowClients} sockets at once sending half a request line, half an upgrade request's headers, or headers without the body they announce (headers timeout 0.5 s, request timeout 1 s): every one closed by the server`);
  const partials = [
    'GET / HT',
    'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n',
    'POST /clear-site-data HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\nabc',
  ];
  const open = await Promise.all(
    Array.from({ length: size.slowClients }, async (_, i) => {
      const sock = await openSocket(s.port);
      sock.on('error', () => {});
      sock.resume();
      sock.write(partials[i % partials.length]!);
      sockets.push(sock);
      return sock;
    }),
  );
  row.count = open.length;
  const closed = await Promise.all(open.map((sock) => closedWithin(sock, BOUND_MS)));
  const left = closed.filter((c) => !c).length;
  row.figures = { stillOpen: left };
  if (left) report.fail(row, `${left} of ${open.length} unfinished requests were still open after ${BOUND_MS} ms`);
}

/** The server-wide cap on TCP connections (HTTP and WebSocket alike). */
async function connectionCap(report: Report, s: RunningServer, sockets: Socket[]): Promise<void> {
  const row = report.row('connections past MAX_CONNECTIONS refused', 'a server capped at 5: 5 idle sockets held, the 6th closed without an answer, a WebSocket refused its handshake, the 5 still served, a new one served once one of them leaves');
  const held = await Promise.all(Array.from({ length: 5 }, () => openSocket(s.port)));
  sockets.push(...held);
  // The server accepts in the order the connections arrived, so these 5 are the ones it holds.
  for (const h of held) h.on('error', () => {});
  row.count++;
  const extra = await openSocket(s.port);
  sockets.push(extra);
  extra.on('error', () => {});
  extra.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  const chunks: Buffer[] = [];
  extra.on('data', (c: Buffer) => chunks.push(c));
  if (!(await closedWithin(extra, BOUND_MS))) report.fail(row, 'the 6th connection was kept open');
  if (chunks.length) report.fail(row, `the 6th connection was answered: ${Buffer.concat(chunks).toString('latin1').slice(0, 40)}`);
  // Upgraded sockets are the server's connections too: a WebSocket past the cap gets no handshake.
  row.count++;
  const ws = new WebSocket(s.wsUrl, { origin: s.url });
  const wsOutcome = await new Promise<string>((resolve) => {
    ws.on('open', () => resolve('open'));
    ws.on('error', () => resolve('refused'));
  });
  ws.terminate();
  if (wsOutcome !== 'refused') report.fail(row, 'a WebSocket past the cap was opened');
  row.count++;
  const answer = await new Promise<string>((resolve) => {
    held[0]!.once('data', (c: Buffer) => resolve(c.toString('latin1')));
    held[0]!.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  });
  if (statusOf(answer) !== 200) report.fail(row, `a held connection got ${JSON.stringify(answer.slice(0, 40))}`);
  row.count++;
  held[1]!.destroy();
  // The server learns of the close a moment later; until then a newcomer is still one too many.
  let again = '';
  for (let attempt = 0; attempt < 50 && statusOf(again) !== 200; attempt++) {
    again = await exchange(s.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    if (statusOf(again) !== 200) await new Promise((r) => setTimeout(r, 100));
  }
  if (statusOf(again) !== 200) report.fail(row, `a connection after one left got ${JSON.stringify(again.slice(0, 40))}`);
}

/** Finding 9: any site could have the browser wipe the app's storage (and with it the unsent outbox). */
async function clearSiteData(report: Report, s: RunningServer, size: AbuseHttpSize): Promise<void> {
  const row = report.row('/clear-site-data only for the app itself', 'GET (a cross-site link or form), POST with a foreign Origin, POST with Sec-Fetch-Site cross-site or same-site: refused without the header; a same-origin POST: 204 with it');
  const refused: { method: string; headers: Record<string, string> }[] = [
    { method: 'GET', headers: {} },
    { method: 'GET', headers: { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate' } },
    { method: 'POST', headers: { Origin: 'https://evil.example' } },
    { method: 'POST', headers: { Origin: 'null' } },
    { method: 'POST', headers: { Origin: `http://127.0.0.1:${s.port}.evil.example` } },
    { method: 'POST', headers: { 'Sec-Fetch-Site': 'cross-site' } },
    { method: 'POST', headers: { 'Sec-Fetch-Site': 'same-site' } },
    { method: 'POST', headers: { Origin: s.url, 'Sec-Fetch-Site': 'cross-site' } },
    { method: 'PUT', headers: { Origin: s.url } },
  ];
  for (let round = 0; round < size.rounds; round++) {
    for (const r of refused) {
      row.count++;
      const res = await fetch(`${s.url}/clear-site-data`, { method: r.method, headers: r.headers });
      await res.arrayBuffer();
      if (res.headers.get('clear-site-data') !== null || res.status < 400) report.fail(row, `${r.method} ${JSON.stringify(r.headers)} answered ${res.status} with Clear-Site-Data ${res.headers.get('clear-site-data')}`);
    }
    row.count++;
    const ok = await fetch(`${s.url}/clear-site-data`, { method: 'POST', headers: { Origin: s.url, 'Sec-Fetch-Site': 'same-origin' } });
    await ok.arrayBuffer();
    if (ok.status !== 204 || ok.headers.get('clear-site-data') !== '"cache", "storage"') report.fail(row, `the app's own POST answered ${ok.status}, Clear-Site-Data ${ok.headers.get('clear-site-data')}`);
  }
}

/**
 * The HttpOnly session cookie (docs/PROTOCOL.md section 13): another site
 * must not plant a session in the visitor's browser (POST /session/cookie),
 * sign them out (DELETE), or open a socket that rides on the cookie; and a
 * cookie code, though 256-bit random, is not guessed for free.
 */
async function sessionCookie(report: Report, s: RunningServer, size: AbuseHttpSize): Promise<void> {
  const row = report.row('/session/cookie only for the app itself', 'POST with a foreign, "null", look-alike or no Origin, or Sec-Fetch-Site cross-site; GET and PUT; DELETE with a foreign Origin; a socket upgrade carrying the cookie from a foreign Origin: refused, no Set-Cookie, the code still good; the app\'s own POST: 204 with the cookie, once');
  const [userId] = s.seeder.users([{ username: 'cookie.owner', passwordHash: await testPasswordHash() }]) as [string];
  const login = async (): Promise<{ client: ProtocolClient; code: string }> => {
    const client = await ProtocolClient.connect(s.wsUrl);
    await client.register();
    const r = await client.call('AccountLoginCommand', { userInformation: { username: 'cookie.owner', password: TEST_PASSWORD }, bindCookie: true }, 'AccountLoginResponse');
    if (!r.loggedIn || !('cookieCode' in r)) throw new Error(`a bindCookie login answered ${JSON.stringify(r)}`);
    return { client, code: r.cookieCode };
  };
  const post = (code: string, headers: Record<string, string>, method = 'POST'): Promise<Response> =>
    fetch(`${s.url}/session/cookie`, { method, headers: { 'Content-Type': 'application/json', ...headers }, body: method === 'GET' ? null : JSON.stringify({ code }) });
  for (let round = 0; round < size.rounds; round++) {
    const { client, code } = await login();
    const refused: [string, Record<string, string>][] = [
      ['POST', { Origin: 'https://evil.example' }],
      ['POST', { Origin: 'null' }],
      ['POST', { Origin: `http://127.0.0.1:${s.port}.evil.example` }],
      ['POST', {}],
      ['POST', { Origin: s.url, 'Sec-Fetch-Site': 'cross-site' }],
      ['POST', { Origin: s.url, 'Sec-Fetch-Site': 'same-site' }],
      ['GET', { Origin: s.url }],
      ['PUT', { Origin: s.url }],
    ];
    for (const [method, headers] of refused) {
      row.count++;
      const res = await post(code, headers, method);
      await res.arrayBuffer();
      if (res.status < 400 || res.headers.get('set-cookie') !== null) report.fail(row, `${method} ${JSON.stringify(headers)} answered ${res.status}, Set-Cookie ${res.headers.get('set-cookie')}`);
    }
    row.count++;
    const ok = await post(code, { Origin: s.url, 'Sec-Fetch-Site': 'same-origin' });
    const setCookie = ok.headers.get('set-cookie') ?? '';
    if (ok.status !== 204 || !/^tidings_session=[\w-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+$/.test(setCookie)) report.fail(row, `the app's own POST answered ${ok.status}, Set-Cookie ${setCookie}`);
    row.count++;
    const twice = await post(code, { Origin: s.url });
    if (twice.status !== 403) report.fail(row, `the code was good twice (${twice.status})`);
    const cookie = setCookie.split(';')[0]!;
    row.count++;
    const upgrade = await new Promise<string>((resolve) => {
      const ws = new WebSocket(s.wsUrl, { origin: 'https://evil.example', headers: { Cookie: cookie } });
      ws.on('open', () => {
        ws.close();
        resolve('opened');
      });
      ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      ws.on('error', () => resolve('error'));
    });
    if (upgrade !== '403') report.fail(row, `a cookie upgrade from a foreign Origin answered ${upgrade}`);
    row.count++;
    const foreignDelete = await fetch(`${s.url}/session/cookie`, { method: 'DELETE', headers: { Origin: 'https://evil.example', Cookie: cookie } });
    await foreignDelete.arrayBuffer();
    const stillIn = await client.request('GetContactsCommand', {});
    if (foreignDelete.status !== 403 || stillIn.name !== 'ContactsResponse') report.fail(row, `a foreign DELETE answered ${foreignDelete.status} and the session then answered ${stillIn.name}`);
    client.close();
  }
  s.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId);

  const guesses = 80;
  const limit = s.config.limits.tokenLoginFailuresPerAddress;
  const guessRow = report.row('cookie code guesses are capped per address', `${guesses} random codes POSTed from one address: at most ${limit} (its budget of unknown tokens) looked up, the rest 429 with Retry-After; none buys a cookie`);
  const statuses: Record<string, number> = {};
  for (let i = 0; i < guesses; i++) {
    guessRow.count++;
    const res = await post(Buffer.from(`${i}-${Math.random()}`).toString('base64url'), { Origin: s.url });
    await res.arrayBuffer();
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    if (res.status === 204) report.fail(guessRow, 'a guessed code bought a cookie');
    if (res.status === 429 && !(Number(res.headers.get('retry-after')) > 0)) report.fail(guessRow, 'a 429 without Retry-After');
  }
  guessRow.figures = statuses;
  if ((statuses[403] ?? 0) > limit) report.fail(guessRow, `${statuses[403]} guesses looked up`);
  if ((statuses[429] ?? 0) < guesses - limit) report.fail(guessRow, `only ${statuses[429] ?? 0} guesses refused with 429`);
}

/** Finding 10: isolation headers on every response, and HSTS once the server is told it is behind TLS. */
async function exposureHeaders(report: Report, plain: RunningServer, tls: RunningServer, size: AbuseHttpSize): Promise<void> {
  const row = report.row('isolation headers on every response', 'GET /, an SPA route, an asset, a 404, /healthz, /metrics, /ws, /clear-site-data: Permissions-Policy, Cross-Origin-Opener-Policy same-origin, Cross-Origin-Resource-Policy same-origin; Strict-Transport-Security only with BEHIND_TLS');
  const paths = ['/', '/conversations/c_x', '/assets/app-big.js', '/assets/missing.js', '/healthz', '/metrics', '/ws', '/clear-site-data'];
  for (let round = 0; round < size.rounds; round++) {
    for (const server of [plain, tls]) {
      for (const path of paths) {
        row.count++;
        const res = await fetch(`${server.url}${path}`);
        await res.arrayBuffer();
        const h = res.headers;
        const where = `${path} (${res.status}${server === tls ? ', behind TLS' : ''})`;
        if (!/camera=\(\)/.test(h.get('permissions-policy') ?? '')) report.fail(row, `${where}: Permissions-Policy ${h.get('permissions-policy')}`);
        if (h.get('cross-origin-opener-policy') !== 'same-origin') report.fail(row, `${where}: Cross-Origin-Opener-Policy ${h.get('cross-origin-opener-policy')}`);
        if (h.get('cross-origin-resource-policy') !== 'same-origin') report.fail(row, `${where}: Cross-Origin-Resource-Policy ${h.get('cross-origin-resource-policy')}`);
        const hsts = h.get('strict-transport-security');
        if (server === tls && !/max-age=\d{7,}/.test(hsts ?? '')) report.fail(row, `${where}: Strict-Transport-Security ${hsts}`);
        if (server === plain && hsts !== null) report.fail(row, `${where}: Strict-Transport-Security on plain HTTP: ${hsts}`);
      }
    }
  }
}

/** Finding 10: /metrics tells anyone how many users are online and what fails; it can be closed or kept to loopback or a token. */
async function metricsAccess(report: Report, loopback: RunningServer, off: RunningServer, token: RunningServer): Promise<void> {
  const row = report.row('/metrics restricted', 'default (loopback): served to 127.0.0.1, refused to a request forwarded by a proxy; off: 404; token: 401 without or with a wrong bearer token, 200 with the right one');
  const cases: { server: RunningServer; headers: Record<string, string>; status: number; what: string }[] = [
    { server: loopback, headers: {}, status: 200, what: 'loopback, direct' },
    { server: loopback, headers: { 'X-Forwarded-For': '203.0.113.7' }, status: 403, what: 'loopback, X-Forwarded-For' },
    { server: loopback, headers: { Forwarded: 'for=203.0.113.7' }, status: 403, what: 'loopback, Forwarded' },
    { server: off, headers: {}, status: 404, what: 'off' },
    { server: token, headers: {}, status: 401, what: 'token, none' },
    { server: token, headers: { Authorization: 'Bearer wrong' }, status: 401, what: 'token, wrong' },
    { server: token, headers: { Authorization: 'Bearer a-long-random-metrics-token-and-more' }, status: 401, what: 'token, longer' },
    { server: token, headers: { Authorization: 'Basic a-long-random-metrics-token' }, status: 401, what: 'token, wrong scheme' },
    { server: token, headers: { Authorization: 'Bearer a-long-random-metrics-token' }, status: 200, what: 'token, right' },
  ];
  for (const c of cases) {
    row.count++;
    const res = await fetch(`${c.server.url}/metrics`, { headers: c.headers });
    const body = await res.text();
    if (res.status !== c.status) report.fail(row, `${c.what}: ${res.status}, expected ${c.status}`);
    if (c.status !== 200 && body.includes('tidings_')) report.fail(row, `${c.what}: the refusal carries metrics`);
  }
}

/** Finding 10: mock mode's controls (drop every socket, reset the data) from another site's page. */
async function testControls(report: Report, s: RunningServer, size: AbuseHttpSize): Promise<void> {
  const row = report.row('/__test__/ refuses cross-site requests', 'mock mode: POST drop/pause and GET state with a foreign Origin or Sec-Fetch-Site cross-site: 403 and nothing done; without them (the e2e suites\' own calls): served');
  for (let round = 0; round < size.rounds; round++) {
    for (const headers of [{ Origin: 'https://evil.example' }, { 'Sec-Fetch-Site': 'cross-site' }, { 'Sec-Fetch-Site': 'same-site' }] as Record<string, string>[]) {
      for (const [method, name] of [['POST', 'drop'], ['POST', 'pause?ms=1000'], ['GET', 'state']] as const) {
        row.count++;
        const res = await fetch(`${s.url}/__test__/${name}`, { method, headers });
        await res.arrayBuffer();
        if (res.status !== 403) report.fail(row, `${method} ${name} ${JSON.stringify(headers)}: ${res.status}`);
      }
    }
    row.count++;
    const state = await fetch(`${s.url}/__test__/state`);
    const body = (await state.json()) as { paused?: boolean };
    if (state.status !== 200 || body.paused !== false) report.fail(row, `state after the refusals: ${state.status} ${JSON.stringify(body)}`);
    row.count++;
    const drop = await fetch(`${s.url}/__test__/drop`, { method: 'POST', headers: { Origin: s.url } });
    await drop.arrayBuffer();
    if (drop.status !== 200) report.fail(row, `the same-origin drop answered ${drop.status}`);
  }
}

/** Finding 10: expired sessions stayed in the database for ever (a row per login). */
async function sessionPurge(report: Report, s: RunningServer): Promise<void> {
  const row = report.row('expired sessions purged', 'sessions past their expiry (trusted, public idle, public cap) seeded beyond one purge batch, beside live ones: the expired rows deleted, the live kept');
  const [user] = s.seeder.users([{ username: 'purge.user', passwordHash: 'x' }]) as [string];
  const now = Date.now();
  const { trustedSessionMs, publicSessionIdleMs, publicSessionMaxMs } = s.config.limits;
  const day = 86_400_000;
  const expired = [
    { publicComputer: false, createdAt: now - trustedSessionMs - 3 * day, lastUsedAt: now - trustedSessionMs - 2 * day },
    { publicComputer: true, createdAt: now - 2 * day, lastUsedAt: now - publicSessionIdleMs - day },
    { publicComputer: true, createdAt: now - publicSessionMaxMs - day, lastUsedAt: now },
  ];
  const live = [
    { publicComputer: false, createdAt: now - day, lastUsedAt: now - day },
    { publicComputer: true, createdAt: now - 1000, lastUsedAt: now - 1000 },
  ];
  let n = 0;
  s.db.transaction(() => {
    for (let i = 0; i < 2500; i++) s.storage.sessions.insert({ tokenHash: `expired-${n++}`, userId: user, ...expired[i % expired.length]! });
    for (let i = 0; i < 10; i++) s.storage.sessions.insert({ tokenHash: `live-${n++}`, userId: user, ...live[i % live.length]! });
  })();
  row.count = n;
  const count = (prefix: string): number => s.db.prepare('SELECT COUNT(*) FROM sessions WHERE token_hash LIKE ?').pluck().get(`${prefix}%`) as number;
  const purged = await eventually(() => count('expired-') === 0, BOUND_MS);
  row.figures = { expiredLeft: count('expired-'), liveLeft: count('live-') };
  if (!purged) report.fail(row, `${count('expired-')} of 2500 expired sessions still stored`);
  if (count('live-') !== 10) report.fail(row, `${10 - count('live-')} live sessions were deleted`);
}

/** The fresh look: what a scanner sends. Each must get a small, definite answer and leave the server serving. */
async function scannerRequests(report: Report, s: RunningServer, size: AbuseHttpSize): Promise<void> {
  const row = report.row('scanner requests answered plainly', 'a 100 KB URL, 20 KB of headers, an absolute-form URL that does not parse, traversal (encoded, doubly encoded, backslashes, NUL), TRACE/PUT/DELETE/OPTIONS on files, a Range request, HEAD of a big file: a 4xx (or the whole file, no range), no 500, the server still up');
  const cases: { request: string; ok: (status: number, answer: string) => boolean; what: string }[] = [
    { what: '100 KB URL', request: `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, ok: (st) => st === 431 || st === 414 || st === 400 },
    { what: '20 KB header', request: `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`, ok: (st) => st === 431 },
    { what: 'absolute URL that does not parse', request: 'GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', ok: (st) => st === 400 },
    { what: 'encoded traversal', request: 'GET /..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', ok: (st) => st === 404 || st === 400 },
    { what: 'doubly encoded traversal', request: 'GET /%252e%252e/%252e%252e/etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', ok: (st, a) => (st === 404 || st === 400 || st === 200) && !a.includes('root:') },
    { what: 'backslash traversal', request: 'GET /..%5c..%5cetc%5cpasswd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', ok: (st, a) => st === 404 && !a.includes('root:') },
    { what: 'NUL in the path', request: 'GET /assets/app-big.js%00.png HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', ok: (st) => st === 404 || st === 400 },
    { what: 'TRACE', request: 'TRACE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', ok: (st) => st === 405 },
    { what: 'PUT on a file', request: 'PUT /assets/app-big.js HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n', ok: (st) => st === 405 },
    { what: 'DELETE on a file', request: 'DELETE /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', ok: (st) => st === 405 },
    { what: 'OPTIONS', request: 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', ok: (st) => st === 405 || st === 400 },
    { what: 'Range', request: 'GET /assets/app-big.js HTTP/1.1\r\nHost: x\r\nRange: bytes=0-9,10-19,20-29\r\nConnection: close\r\n\r\n', ok: (st, a) => st === 200 && a.length > BIG_FILE_BYTES },
    { what: 'HEAD of the big file', request: 'HEAD /assets/app-big.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', ok: (st, a) => st === 200 && a.length < 4096 && a.includes(`Content-Length: ${BIG_FILE_BYTES}`) },
  ];
  for (let round = 0; round < size.rounds; round++) {
    for (const c of cases) {
      row.count++;
      const answer = await exchange(s.port, c.request);
      const status = statusOf(answer);
      if (!c.ok(status, answer)) report.fail(row, `${c.what}: ${status} ${JSON.stringify(answer.slice(0, 60))}`);
    }
  }
  const res = await fetch(`${s.url}/healthz`);
  await res.arrayBuffer();
  if (res.status !== 200) report.fail(row, `/healthz answered ${res.status} afterwards`);
}

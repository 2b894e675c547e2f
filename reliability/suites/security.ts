import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../server/app';
import type { ServerOptions } from '../../server/config';
import { CHEAP_SCRYPT, TEST_PASSWORD, testPasswordHash } from '../../server/test/harness';
import { REPO_ROOT } from '../lib/child-server';
import { FuzzSocket } from '../lib/fuzz-socket';
import { Report } from '../lib/results';
import { sleep } from '../lib/wait';

/**
 * Sessions and the HTTP surface: token strength and hashed storage,
 * constant-time secret comparison, public-computer expiry (idle and cap, on shortened configured durations),
 * logout revoking every socket at once, cross-site WebSocket hijacking
 * refused, and the security headers on every kind of HTTP response.
 */
export interface SecuritySize {
  logins: number;
  originRounds: number;
}

export const SECURITY_SIZES: Record<'ci' | 'long', SecuritySize> = {
  ci: { logins: 20, originRounds: 1 },
  long: { logins: 300, originRounds: 20 },
};

const PUBLIC_IDLE_MS = 600;
const PUBLIC_MAX_MS = 2000;

async function serve(options: ServerOptions = {}): Promise<RunningServer> {
  return startServer({ port: 0, dbPath: ':memory:', logLevel: 'silent', scrypt: CHEAP_SCRYPT, distDir: join(REPO_ROOT, 'dist'), ...options });
}

export async function runSecurity(size: SecuritySize, log: (line: string) => void = () => {}): Promise<Report> {
  const report = new Report('security', size === SECURITY_SIZES.long ? 'long' : 'ci', null, log);
  const socks: FuzzSocket[] = [];
  const servers: RunningServer[] = [];
  try {
    // The token check logs one user in by password `logins` times; the budget of password logins per user is not what is tried here.
    const s = await serve({
      limits: { publicSessionIdleMs: PUBLIC_IDLE_MS, publicSessionMaxMs: PUBLIC_MAX_MS, passwordLoginsPerUsername: 10_000 },
      sessionSweepIntervalMs: 100,
    });
    servers.push(s);
    const hash = await testPasswordHash();
    s.seeder.users(['bystander', 'traveller'].map((username) => ({ username, passwordHash: hash })));
    const connect = async (): Promise<FuzzSocket> => {
      const sock = await FuzzSocket.open(s.wsUrl);
      socks.push(sock);
      await sock.call('ClientRegistrationCommand', { clientInformation: { clientMedium: 'web' } });
      return sock;
    };
    const login = async (sock: FuzzSocket, userInformation: Record<string, unknown>, publicComputer = false): Promise<Record<string, unknown>> =>
      (await sock.call('AccountLoginCommand', { userInformation, publicComputer })).payload;

    // Tokens: 256 random bits, base64url, unique; only their hash is stored.
    const tokensRow = report.row('session tokens are 256-bit random', 'password logins: token is 43 base64url chars = 32 bytes, all distinct, bits balanced');
    const storedRow = report.row('tokens stored hashed', 'every cell of every table searched for each raw token (text, hex, base64)');
    const tokens: string[] = [];
    const sock0 = await connect();
    for (let i = 0; i < size.logins; i++) {
      tokensRow.count++;
      const r = await login(sock0, { username: 'bystander', password: TEST_PASSWORD });
      const token = String(r['sessionToken']);
      if (!/^[A-Za-z0-9_-]{43}$/.test(token) || Buffer.from(token, 'base64url').length !== 32) report.fail(tokensRow, `token ${token} is not 32 bytes of base64url`);
      tokens.push(token);
    }
    if (new Set(tokens).size !== tokens.length) report.fail(tokensRow, 'a token repeated');
    let ones = 0;
    for (const t of tokens) for (const byte of Buffer.from(t, 'base64url')) for (let b = 0; b < 8; b++) ones += (byte >> b) & 1;
    const share = ones / (tokens.length * 256);
    tokensRow.figures = { bitsOneShare: Number(share.toFixed(4)) };
    if (Math.abs(share - 0.5) > 0.05) report.fail(tokensRow, `share of one bits ${share}`);
    const tables = (s.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]).filter((t) => !t.startsWith('sqlite_'));
    let cells = 0;
    const needles = tokens.flatMap((t) => [t, Buffer.from(t, 'base64url').toString('hex'), Buffer.from(t, 'base64url').toString('base64')]);
    for (const table of tables) {
      for (const row of s.db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]) {
        for (const value of Object.values(row)) {
          cells++;
          const text = Buffer.isBuffer(value) ? `${value.toString('hex')} ${value.toString('base64')}` : String(value);
          for (const n of needles) if (text.includes(n)) report.fail(storedRow, `table ${table} holds a raw token`);
        }
      }
    }
    const sessionCells = JSON.stringify(s.db.prepare('SELECT * FROM sessions').all());
    const hashed = tokens.filter((t) => sessionCells.includes(createHash('sha256').update(t).digest('hex')) || sessionCells.includes(createHash('sha256').update(t).digest('base64url'))).length;
    storedRow.count = tokens.length;
    storedRow.figures = { cellsSearched: cells, tokensFoundAsSha256: hashed };

    // Constant time: read the code that compares secrets.
    const ctRow = report.row('constant-time comparison of secrets', 'password hashes compared with timingSafeEqual; tokens looked up by SHA-256 (no string compare of a secret); unknown and known usernames cost the same');
    const passwordSource = readFileSync(join(REPO_ROOT, 'server/auth/password.ts'), 'utf8');
    ctRow.count++;
    if (!/timingSafeEqual\(/.test(passwordSource)) report.fail(ctRow, 'server/auth/password.ts does not use timingSafeEqual');
    const sessionSource = readdirSync(join(REPO_ROOT, 'server/auth')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => readFileSync(join(REPO_ROOT, 'server/auth', f), 'utf8')).join('\n');
    ctRow.count++;
    if (/(token|password|hash)\w*\s*(===|!==|==)\s*\w*(token|password|hash)/i.test(sessionSource)) report.fail(ctRow, 'a secret is compared with === in server/auth');
    const timeLogin = async (username: string): Promise<number> => {
      const t0 = process.hrtime.bigint();
      await login(sock0, { username, password: 'wrong-password-1' });
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 4; i++) {
      known.push(await timeLogin('traveller'));
      unknown.push(await timeLogin(`nobody-${i}`));
    }
    const med = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    ctRow.count++;
    ctRow.figures = { knownUserMs: Number(med(known).toFixed(2)), unknownUserMs: Number(med(unknown).toFixed(2)) };
    if (med(unknown) < med(known) / 3) report.fail(ctRow, `unknown usernames answer in ${med(unknown)} ms, known in ${med(known)} ms`);

    // Public-computer sessions, on durations shortened through the server's configuration.
    const expiry = report.row('public-computer session expiry', `idle ${PUBLIC_IDLE_MS} ms and cap ${PUBLIC_MAX_MS} ms (configured stand-ins for 30 min / 12 h); pings do not count as traffic; trusted unaffected`);
    const publicLogin = async (): Promise<{ sock: FuzzSocket; token: string }> => {
      const sock = await connect();
      const r = await login(sock, { username: 'traveller', password: TEST_PASSWORD }, true);
      return { sock, token: String(r['sessionToken']) };
    };
    const isRevoked = async (sock: FuzzSocket, token: string, what: string): Promise<void> => {
      const o = await sock.exchange(JSON.stringify({ 'com.comoyo.GetContactsCommand': { requestId: 'x' } }), false);
      const names = o.replies.map((r) => (r.name === 'ErrorResponse' ? String(r.payload['code']) : r.name));
      if (!names.includes('SessionRevokedNotification') && !names.includes('NOT_AUTHENTICATED')) report.fail(expiry, `${what}: still served (${names})`);
      if (names.includes('ContactsResponse')) report.fail(expiry, `${what}: answered with contacts`);
      const again = await connect();
      const r = await login(again, { sessionToken: token });
      if (r['loggedIn'] !== false || r['reason'] !== 'SESSION_EXPIRED') report.fail(expiry, `${what}: token login answered ${JSON.stringify(r)}`);
    };
    {
      expiry.count++;
      const { sock, token } = await publicLogin();
      await sleep(PUBLIC_IDLE_MS + 300);
      await isRevoked(sock, token, 'idle');
    }
    {
      expiry.count++;
      const { sock, token } = await publicLogin();
      for (let t = 0; t < PUBLIC_IDLE_MS + 300; t += 100) {
        await sock.exchange(JSON.stringify({ 'com.comoyo.PingCommand': {} }), false);
        await sleep(100);
      }
      await isRevoked(sock, token, 'only pings');
    }
    {
      expiry.count++;
      const { sock, token } = await publicLogin();
      const started = Date.now();
      let servedUntil = 0;
      while (Date.now() - started < PUBLIC_MAX_MS + 500) {
        const o = await sock.exchange(JSON.stringify({ 'com.comoyo.GetContactsCommand': {} }), false);
        if (o.replies.some((r) => r.name === 'ContactsResponse')) servedUntil = Date.now() - started;
        await sleep(150);
      }
      if (servedUntil < PUBLIC_MAX_MS - 400) report.fail(expiry, `busy session ended after ${servedUntil} ms, before the cap`);
      if (servedUntil > PUBLIC_MAX_MS + 200) report.fail(expiry, `busy session served ${servedUntil} ms, past the ${PUBLIC_MAX_MS} ms cap`);
      expiry.figures = { busySessionServedMs: servedUntil };
      await isRevoked(sock, token, 'cap');
    }
    {
      expiry.count++;
      const sock = await connect();
      const r = await login(sock, { username: 'bystander', password: TEST_PASSWORD }, false);
      await sleep(PUBLIC_IDLE_MS + 300);
      const o = await sock.exchange(JSON.stringify({ 'com.comoyo.GetContactsCommand': {} }), false);
      if (!o.replies.some((x) => x.name === 'ContactsResponse') || !r['loggedIn']) report.fail(expiry, 'a trusted session expired on the public idle time');
    }

    // Logout revokes every socket of the session at once.
    const logout = report.row('logout revokes everywhere', 'one session on 5 sockets; logout on one: the others are told at once, refused after, and the token is dead');
    {
      logout.count++;
      const first = await connect();
      const token = String((await login(first, { username: 'traveller', password: TEST_PASSWORD }))['sessionToken']);
      const others = await Promise.all(Array.from({ length: 4 }, async () => {
        const sock = await connect();
        await login(sock, { sessionToken: token });
        return sock;
      }));
      const t0 = Date.now();
      await first.call('AccountLogoutCommand', {});
      await sleep(50);
      for (const sock of others) {
        const o = await sock.exchange(JSON.stringify({ 'com.comoyo.GetContactsCommand': { requestId: 'after' } }), false);
        const names = o.replies.map((r) => (r.name === 'ErrorResponse' ? String(r.payload['code']) : r.name));
        if (!names.includes('SessionRevokedNotification')) report.fail(logout, `a socket was not told (${names})`);
        if (!names.includes('NOT_AUTHENTICATED')) report.fail(logout, `a socket was still served (${names})`);
      }
      logout.figures = { msUntilAllTold: Date.now() - t0 };
      const again = await connect();
      const r = await login(again, { sessionToken: token });
      if (r['loggedIn'] !== false) report.fail(logout, 'the token still logs in');
    }

    // Cross-site WebSocket hijacking.
    const origins = report.row('foreign-origin upgrades refused', 'WebSocket upgrades with foreign or tricky Origin headers: 403; own origins and no Origin: 101');
    const p = s.port;
    const foreign = [
      'null',
      'http://127.0.0.1.evil.com',
      `http://127.0.0.1.evil.com:${p}`,
      `http://127.0.0.1:${p}.evil.com`,
      `http://127.0.0.1:${p + 1}`,
      `https://127.0.0.1:${p}`,
      `https://localhost:${p}`,
      `ws://127.0.0.1:${p}`,
      `http://evil.com`,
      `http://evil.com:${p}`,
      `http://127.0.0.1:${p}@evil.com`,
      `http://evil.com#http://127.0.0.1:${p}`,
      `http://127.0.0.1:${p}, http://evil.com`,
      `http://127.0.0.1:${p}/`,
      `http://127.0.0.1`,
      `http://localhost`,
      `http://0.0.0.0:${p}`,
      `http://[::1]:${p}`,
      `http://127.0.0.2:${p}`,
      `http://LOCALHOST.evil.com:${p}`,
      `file://`,
      '',
      ' ',
    ];
    const own = [`http://127.0.0.1:${p}`, `http://localhost:${p}`, null];
    for (let round = 0; round < size.originRounds; round++) {
      for (const origin of foreign) {
        origins.count++;
        const status = await upgradeStatus(p, origin);
        if (status !== 403) report.fail(origins, `Origin ${JSON.stringify(origin)} answered ${status}`);
      }
      for (const origin of own) {
        origins.count++;
        const status = await upgradeStatus(p, origin);
        if (status !== 101) report.fail(origins, `own Origin ${JSON.stringify(origin)} answered ${status}`);
      }
    }

    // Security headers on every kind of response.
    const headers = report.row('security headers', 'GET /, an SPA route, /assets/*, a missing asset (404), /healthz, /metrics, /ws (426), /clear-site-data: nosniff and Referrer-Policy on all; strict CSP on HTML');
    const assets = (() => {
      try {
        return readdirSync(join(REPO_ROOT, 'dist/assets')).filter((f) => !f.endsWith('.map'));
      } catch {
        return [];
      }
    })();
    if (assets.length === 0) report.fail(headers, 'dist/assets is empty: build the app (npm run build) first');
    const paths = ['/', '/conversations/c_x', ...assets.slice(0, 3).map((a) => `/assets/${a}`), '/assets/missing-file.js', '/no-such-file.png', '/healthz', '/metrics', '/ws', '/clear-site-data'];
    for (const path of paths) {
      headers.count++;
      const res = await fetch(`${s.url}${path}`);
      const h = res.headers;
      const html = (h.get('content-type') ?? '').includes('text/html');
      if (h.get('x-content-type-options') !== 'nosniff') report.fail(headers, `${path} (${res.status}): X-Content-Type-Options ${h.get('x-content-type-options')}`);
      if (!h.get('referrer-policy')) report.fail(headers, `${path} (${res.status}): no Referrer-Policy`);
      if (html) {
        const csp = h.get('content-security-policy') ?? '';
        const problem = cspProblem(csp, p);
        if (problem) report.fail(headers, `${path} (${res.status}): CSP ${problem}: ${csp}`);
      }
      await res.arrayBuffer();
    }
  } finally {
    for (const sock of socks) sock.close();
    for (const server of servers) await server.close();
  }
  return report;
}

/** What is wrong with a CSP, or null. */
export function cspProblem(csp: string, port: number): string | null {
  if (!csp) return 'missing';
  if (/unsafe-inline|unsafe-eval|unsafe-hashes|strict-dynamic|\*/.test(csp)) return 'allows unsafe sources';
  const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v]));
  for (const d of ['default-src', 'script-src', 'frame-ancestors', 'object-src', 'base-uri']) if (!directives.has(d)) return `has no ${d}`;
  if (directives.get('frame-ancestors')!.join(' ') !== "'none'") return "frame-ancestors is not 'none'";
  const connect = directives.get('connect-src') ?? directives.get('default-src')!;
  const ownSockets = new Set(["'self'", ...['127.0.0.1', 'localhost'].flatMap((h) => [`ws://${h}:${port}`, `wss://${h}:${port}`])]);
  const foreign = connect.filter((src) => !ownSockets.has(src));
  if (foreign.length) return `connect-src allows ${foreign.join(' ')}`;
  return null;
}

function upgradeStatus(port: number, origin: string | null): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': Buffer.from('reliability-key!').toString('base64'),
    };
    if (origin !== null) headers['Origin'] = origin;
    const req = request({ host: '127.0.0.1', port, path: '/ws', headers });
    req.setTimeout(5000, () => req.destroy(new Error('upgrade timed out')));
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

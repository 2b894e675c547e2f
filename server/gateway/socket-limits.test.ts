import { afterEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { WebSocket } from 'ws';
import type { RunningServer } from '../app';
import type { ServerOptions } from '../config';
import { hashPassword } from '../auth/password';
import { ProtocolClient } from '../test/protocol-client';
import { loginAs, seedUsers, sleep, startTestServer, TEST_PASSWORD } from '../test/harness';
import { waitFor } from '../../reliability/lib/wait';

/** What an upgrade got: an open socket, or the HTTP refusal with its Retry-After. */
type Upgrade = { ws: WebSocket } | { status: number; retryAfter: string | undefined };

function upgrade(url: string, headers: Record<string, string> = {}): Promise<Upgrade> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] });
    });
    ws.once('error', (err) => reject(err));
  });
}

function opened(u: Upgrade): WebSocket {
  if (!('ws' in u)) throw new Error(`upgrade refused with ${u.status}`);
  return u.ws;
}

/** The close code, listened for from the socket's start. */
function closeCode(u: Upgrade): { ws: WebSocket; code: Promise<number> } {
  const ws = opened(u);
  return { ws, code: new Promise((resolve) => ws.once('close', (code) => resolve(code))) };
}

describe('gateway: socket limits per process, address, user and login', () => {
  let server: RunningServer | null = null;
  const open: WebSocket[] = [];
  const start = async (options: ServerOptions): Promise<RunningServer> => (server = await startTestServer(options));
  afterEach(async () => {
    for (const ws of open.splice(0)) ws.terminate();
    await server?.close();
    server = null;
  });

  it('refuses sockets past the per-address caps with 429 and Retry-After, and admits again when one logs in or goes', async () => {
    const s = await start({ maxSocketsPerAddress: 3, maxPendingSocketsPerAddress: 2 });
    await seedUsers(s, ['una']);
    const a = opened(await upgrade(s.wsUrl));
    const b = opened(await upgrade(s.wsUrl));
    open.push(a, b);
    // Two not logged in: the address's pending cap.
    expect(await upgrade(s.wsUrl)).toMatchObject({ status: 429, retryAfter: expect.stringMatching(/^\d+$/) });
    a.close();
    await waitFor(() => s.connectionCount() === 1, 'the server to see the close');
    // Logged in, a socket stops counting as pending: b and a pending one fit beside it.
    open.push((await loginAs(s, 'una')).client.ws);
    const c = opened(await upgrade(s.wsUrl));
    open.push(c);
    expect(s.connectionCount()).toBe(3);
    b.close();
    await waitFor(() => s.connectionCount() === 2, 'the server to see the close');
    open.push((await loginAs(s, 'una')).client.ws);
    // Three open, one of them pending: now the address's socket cap refuses.
    expect(await upgrade(s.wsUrl)).toMatchObject({ status: 429 });
    expect(s.connectionCount()).toBe(3);
  });

  it('makes room past MAX_SOCKETS by closing the longest-waiting socket not logged in (4408), and refuses with 503 and Retry-After when all are logged in', async () => {
    const s = await start({ maxSockets: 2 });
    await seedUsers(s, ['ivy']);
    const oldest = closeCode(await upgrade(s.wsUrl));
    const next = closeCode(await upgrade(s.wsUrl));
    open.push(oldest.ws, next.ws);
    // Full: a newcomer gets in, the socket that waited longest without logging in goes.
    const newcomer = await ProtocolClient.connect(s.wsUrl);
    open.push(newcomer.ws);
    expect(await oldest.code).toBe(4408);
    newcomer.send('ClientRegistrationCommand', { clientInformation: { clientMedium: 'web' } });
    expect((await newcomer.call('AccountLoginCommand', { userInformation: { username: 'ivy', password: TEST_PASSWORD } }, 'AccountLoginResponse')).loggedIn).toBe(true);
    const second = await ProtocolClient.connect(s.wsUrl);
    open.push(second.ws);
    expect(await next.code).toBe(4408);
    second.send('ClientRegistrationCommand', { clientInformation: { clientMedium: 'web' } });
    await second.call('AccountLoginCommand', { userInformation: { username: 'ivy', password: TEST_PASSWORD } }, 'AccountLoginResponse');
    // Both logged in: nobody to make room with.
    expect(await upgrade(s.wsUrl)).toMatchObject({ status: 503, retryAfter: '10' });
  });

  it('counts the rightmost X-Forwarded-For hop with TRUST_PROXY=1, and ignores the header without it', async () => {
    const s = await start({ maxPendingSocketsPerAddress: 1, trustProxyHops: 1 });
    open.push(opened(await upgrade(s.wsUrl, { 'x-forwarded-for': '203.0.113.1' })));
    open.push(opened(await upgrade(s.wsUrl, { 'x-forwarded-for': '203.0.113.2' })));
    // The client wrote the left entry; the proxy appended 203.0.113.1, already at its cap.
    expect(await upgrade(s.wsUrl, { 'x-forwarded-for': '198.51.100.7, 203.0.113.1' })).toMatchObject({ status: 429 });
    await server!.close();
    const plain = await start({ maxPendingSocketsPerAddress: 1 });
    open.push(opened(await upgrade(plain.wsUrl, { 'x-forwarded-for': '203.0.113.1' })));
    expect(await upgrade(plain.wsUrl, { 'x-forwarded-for': '203.0.113.2' })).toMatchObject({ status: 429 });
  });

  it('closes sockets that do not log in by the deadline with 4408, pinging or not, and keeps logged-in ones', async () => {
    const s = await start({ loginDeadlineMs: 300 });
    await seedUsers(s, ['vera']);
    const silent = closeCode(await upgrade(s.wsUrl));
    const pinger = await ProtocolClient.connect(s.wsUrl);
    await pinger.register();
    const controlPinger = closeCode(await upgrade(s.wsUrl));
    // Registration and login in one round trip, as the app does: the deadline never falls between them.
    const member = await ProtocolClient.connect(s.wsUrl);
    member.send('ClientRegistrationCommand', { clientInformation: { clientMedium: 'web' } });
    await member.call('AccountLoginCommand', { userInformation: { username: 'vera', password: TEST_PASSWORD } }, 'AccountLoginResponse');
    open.push(silent.ws, pinger.ws, controlPinger.ws, member.ws);
    const keepAlive = setInterval(() => {
      if (pinger.ws.readyState === WebSocket.OPEN) pinger.send('PingCommand', {});
      if (controlPinger.ws.readyState === WebSocket.OPEN) controlPinger.ws.ping();
    }, 30);
    try {
      expect(await silent.code).toBe(4408);
      expect((await pinger.closed).code).toBe(4408);
      expect(await controlPinger.code).toBe(4408);
    } finally {
      clearInterval(keepAlive);
    }
    expect(await member.call('PingCommand', {}, 'PongResponse')).toHaveProperty('serverTime');
    // Logged out, the socket has a deadline again.
    await member.call('AccountLogoutCommand', {}, 'AccountLogoutResponse');
    expect((await member.closed).code).toBe(4408);
  });

  it('lets a password login still being hashed at the deadline finish, and closes the socket after one that failed', async () => {
    // A hash of twice OWASP's cost (N=2^17) takes longer than this deadline to verify.
    const s = await start({ loginDeadlineMs: 150 });
    s.seeder.users([{ username: 'walt', passwordHash: await hashPassword(TEST_PASSWORD, { N: 2 ** 17, r: 8, p: 1 }) }]);
    const [good, bad] = [await ProtocolClient.connect(s.wsUrl), await ProtocolClient.connect(s.wsUrl)];
    open.push(good.ws, bad.ws);
    // Registration and login pipelined, as the app sends them.
    for (const c of [good, bad]) c.send('ClientRegistrationCommand', { clientInformation: { clientMedium: 'web' } });
    const [accepted, refused] = await Promise.all([
      good.call('AccountLoginCommand', { userInformation: { username: 'walt', password: TEST_PASSWORD } }, 'AccountLoginResponse'),
      bad.call('AccountLoginCommand', { userInformation: { username: 'walt', password: 'not the password' } }, 'AccountLoginResponse'),
    ]);
    expect(accepted.loggedIn).toBe(true);
    expect(refused).toEqual({ loggedIn: false, reason: 'BAD_CREDENTIALS', requestId: expect.any(String) });
    expect((await bad.closed).code).toBe(4408);
    await sleep(200);
    expect(await good.call('PingCommand', {}, 'PongResponse')).toHaveProperty('serverTime');
  });

  it('closes a login past MAX_SOCKETS_PER_USER with 4429, leaving the earlier sockets', async () => {
    const s = await start({ maxSocketsPerUser: 2 });
    await seedUsers(s, ['xena']);
    const first = (await loginAs(s, 'xena')).client;
    const second = (await loginAs(s, 'xena')).client;
    open.push(first.ws, second.ws);
    const third = await ProtocolClient.connect(s.wsUrl);
    await third.register();
    third.send('AccountLoginCommand', { userInformation: { username: 'xena', password: TEST_PASSWORD } });
    expect((await third.closed).code).toBe(4429);
    for (const c of [first, second]) expect(await c.call('PingCommand', {}, 'PongResponse')).toHaveProperty('serverTime');
  });

  it('counts WebSocket pings and pongs against the rate limit and closes a socket flooding them with 1008', async () => {
    const s = await start({ limits: { commandsPerSecond: 20, commandBurst: 10, floodCloseAfterMs: 200 } });
    await seedUsers(s, ['yuri']);
    const { client } = await loginAs(s, 'yuri');
    open.push(client.ws);
    const flood = setInterval(() => {
      if (client.ws.readyState !== WebSocket.OPEN) return;
      for (let i = 0; i < 10; i++) {
        client.ws.ping();
        client.ws.pong();
      }
    }, 10);
    try {
      expect((await client.closed).code).toBe(1008);
    } finally {
      clearInterval(flood);
    }
  });

  it('answers RATE_LIMITED instead of holding more than MAX_QUEUED_BYTES of commands behind a login being checked', async () => {
    // A real-cost hash for the unknown user's dummy check keeps the login busy while the frames arrive.
    const s = await start({ maxQueuedBytes: 256 * 1024, scrypt: { N: 2 ** 16 } });
    const c = await ProtocolClient.connect(s.wsUrl);
    open.push(c.ws);
    await c.register();
    c.send('AccountLoginCommand', { userInformation: { username: 'nobody', password: 'not a password' } });
    const pad = 'p'.repeat(60 * 1024);
    for (let i = 0; i < 40; i++) c.send('PingCommand', { requestId: `q${i}`, pad } as never);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => c.waitFor((f) => f.payload['requestId'] === `q${i}`, 10_000)));
    const pongs = answers.filter((f) => f.name === 'PongResponse').length;
    const refused = answers.filter((f) => f.name === 'ErrorResponse' && f.payload['code'] === 'RATE_LIMITED').length;
    // 256 KiB holds four frames of 60 KiB.
    expect(pongs).toBeLessThanOrEqual(5);
    expect(pongs + refused).toBe(40);
  });

  it('refuses a subscription past MAX_SUBSCRIPTIONS_PER_SOCKET with RATE_LIMITED, and takes one again after an unsubscribe', async () => {
    const s = await start({ maxSubscriptionsPerSocket: 3 });
    const ids = await seedUsers(s, ['zoe', 'amy', 'bea']);
    const [one, two] = [s.seeder.conversation({ memberIds: [ids['zoe']!, ids['amy']!] }), s.seeder.conversation({ memberIds: [ids['zoe']!, ids['bea']!] })];
    const { client } = await loginAs(s, 'zoe');
    open.push(client.ws);
    for (const resource of ['contacts', 'conversations', `messages:${one}`]) await client.call('SubscribeCommand', { resource }, 'SubscribeResponse');
    const refused = await client.fail('SubscribeCommand', { resource: `messages:${two}` });
    expect(refused.code).toBe('RATE_LIMITED');
    expect(refused.message).toContain(`messages:${two}`);
    // Subscribing again to one it holds is not a new one.
    await client.call('SubscribeCommand', { resource: 'contacts' }, 'SubscribeResponse');
    await client.call('UnsubscribeCommand', { resource: `messages:${one}` }, 'UnsubscribeResponse');
    await client.call('SubscribeCommand', { resource: `messages:${two}` }, 'SubscribeResponse');
  });

  it('gives the slots of a refused handshake back: malformed upgrades do not use up the address', async () => {
    const s = await start({ maxPendingSocketsPerAddress: 2 });
    for (let i = 0; i < 10; i++) {
      // No Sec-WebSocket-Key: ws refuses the handshake with 400.
      const status = await new Promise<string>((resolve) => {
        const sock = connect(s.port, '127.0.0.1', () => sock.write(`GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n`));
        sock.once('data', (d) => resolve(d.toString().split('\r\n')[0]!));
        sock.once('error', () => resolve('error'));
      });
      expect(status).toContain('400');
    }
    open.push(opened(await upgrade(s.wsUrl)), opened(await upgrade(s.wsUrl)));
  });
});

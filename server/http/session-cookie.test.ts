import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../app';
import { ProtocolClient } from '../test/protocol-client';
import { TEST_PASSWORD, seedUsers, startTestServer } from '../test/harness';

const DAY = 86_400_000;
const EVIL = 'https://evil.example';

/**
 * The session token out of reach of script (docs/PROTOCOL.md section 13),
 * over real HTTP and real sockets: binding a trusted login to the HttpOnly
 * cookie, logging in by it, clearing it, the Origin rules that keep other
 * sites out, and the absolute lifetime of trusted sessions.
 */
describe('session cookie', () => {
  let server: RunningServer;
  let offset = 0;
  beforeAll(async () => {
    // The clock moves in these tests; the heartbeat and the login deadline must not close sockets when it does.
    server = await startTestServer({
      now: () => Date.now() + offset,
      loginDeadlineMs: 0,
      limits: { heartbeatIntervalMs: 400 * DAY, tokenLoginFailuresPerAddress: 8 },
    });
    await seedUsers(server, ['wes', 'xia', 'yan', 'zed', 'abe'], false);
  });
  afterAll(() => server.close());

  async function registered(headers: Record<string, string> = {}, origin?: string): Promise<ProtocolClient> {
    const c = await ProtocolClient.connect(server.wsUrl, { headers, ...(origin ? { origin } : {}) });
    await c.register();
    return c;
  }

  /** A password login asking for a cookie code; the socket stays logged in. */
  async function bindLogin(username: string, publicComputer = false): Promise<{ client: ProtocolClient; reply: Record<string, unknown> }> {
    const client = await registered();
    const reply = await client.call('AccountLoginCommand', { userInformation: { username, password: TEST_PASSWORD }, bindCookie: true, publicComputer }, 'AccountLoginResponse');
    return { client, reply: reply as Record<string, unknown> };
  }

  function post(code: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${server.url}/session/cookie`, {
      method: 'POST',
      headers: { Origin: server.url, 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify({ code }),
    });
  }

  /** The cookie's token, from a Set-Cookie value. */
  function tokenOf(setCookie: string): string {
    return /^tidings_session=([^;]*);/.exec(setCookie)![1]!;
  }

  /** A socket whose upgrade carries the cookie, from our Origin unless told otherwise (null: none, as a non-browser). */
  async function cookieSocket(token: string, origin: string | null = server.url): Promise<ProtocolClient> {
    return registered({ Cookie: `other=1; tidings_session=${token}` }, origin ?? undefined);
  }

  it('a trusted login with bindCookie answers a code and no token; the code buys the HttpOnly cookie once', async () => {
    const { client, reply } = await bindLogin('wes');
    expect(reply).toMatchObject({ loggedIn: true, user: { username: 'wes' }, cookieCode: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(reply).not.toHaveProperty('sessionToken');
    // The socket that logged in is logged in.
    await client.call('GetContactsCommand', {}, 'ContactsResponse');

    const res = await post(reply['cookieCode']);
    expect(res.status).toBe(204);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^tidings_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+$/);
    // Max-Age: what is left of the session's absolute lifetime, 90 days from the login.
    const maxAge = Number(/Max-Age=(\d+)/.exec(setCookie)![1]);
    expect(maxAge).toBeGreaterThan(90 * 86_400 - 60);
    expect(maxAge).toBeLessThanOrEqual(90 * 86_400);
    expect(setCookie).not.toContain('Secure');

    const again = await post(reply['cookieCode']);
    expect(again.status).toBe(403);
    expect(await again.text()).toMatch(/^COOKIE_CODE_REFUSED: /);
    expect(again.headers.get('set-cookie')).toBeNull();

    // A socket whose upgrade carries the cookie and our Origin logs in without any token in a frame.
    const byCookie = await cookieSocket(tokenOf(setCookie));
    const login = await byCookie.call('AccountLoginCommand', { userInformation: { useCookie: true } }, 'AccountLoginResponse');
    expect(login).toMatchObject({ loggedIn: true, viaCookie: true, user: { username: 'wes' } });
    expect(login).not.toHaveProperty('sessionToken');
    expect(JSON.stringify(login)).not.toContain(tokenOf(setCookie));
    await byCookie.call('GetContactsCommand', {}, 'ContactsResponse');
    for (const c of [client, byCookie]) c.close();
  });

  it('a code expires 60 s after the login (by the server\'s clock)', async () => {
    const { client, reply } = await bindLogin('xia');
    offset += 61_000;
    const late = await post(reply['cookieCode']);
    expect(late.status).toBe(403);
    expect(await late.text()).toContain('expired');
    const fresh = await bindLogin('xia');
    offset += 59_000;
    expect((await post(fresh.reply['cookieCode'])).status).toBe(204);
    for (const c of [client, fresh.client]) c.close();
  });

  it('POST /session/cookie is for our own pages only, JSON only, and small', async () => {
    const { client, reply } = await bindLogin('yan');
    const code = reply['cookieCode'];
    const foreign = await post(code, { Origin: EVIL });
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).toMatch(/^CROSS_SITE_REQUEST: .*evil\.example/);
    expect(foreign.headers.get('set-cookie')).toBeNull();
    const crossSite = await post(code, { 'Sec-Fetch-Site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    const noOrigin = await fetch(`${server.url}/session/cookie`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code }) });
    expect(noOrigin.status).toBe(403);
    const form = await post(code, { 'Content-Type': 'text/plain' });
    expect(form.status).toBe(415);
    const big = await fetch(`${server.url}/session/cookie`, {
      method: 'POST',
      headers: { Origin: server.url, 'Content-Type': 'application/json' },
      body: JSON.stringify({ code, padding: 'x'.repeat(2000) }),
    });
    expect(big.status).toBe(413);
    const notJson = await fetch(`${server.url}/session/cookie`, { method: 'POST', headers: { Origin: server.url, 'Content-Type': 'application/json' }, body: '{code' });
    expect(notJson.status).toBe(400);
    expect((await fetch(`${server.url}/session/cookie`)).status).toBe(405);
    // None of the refusals spent the code.
    expect((await post(code)).status).toBe(204);
    client.close();
  });

  it('a cookie upgrade from another site is refused with 403; a cookie without Origin, or no cookie, logs nobody in', async () => {
    const { client, reply } = await bindLogin('zed');
    const token = tokenOf((await post(reply['cookieCode'])).headers.get('set-cookie')!);
    await expect(cookieSocket(token, EVIL)).rejects.toThrow(/403/);
    const noOrigin = await cookieSocket(token, null);
    expect(await noOrigin.call('AccountLoginCommand', { userInformation: { useCookie: true } }, 'AccountLoginResponse')).toMatchObject({ loggedIn: false, reason: 'SESSION_EXPIRED' });
    const noCookie = await registered({}, server.url);
    expect(await noCookie.call('AccountLoginCommand', { userInformation: { useCookie: true } }, 'AccountLoginResponse')).toMatchObject({ loggedIn: false, reason: 'SESSION_EXPIRED' });
    expect((await noCookie.fail('GetContactsCommand', {})).code).toBe('NOT_AUTHENTICATED');
    for (const c of [client, noOrigin, noCookie]) c.close();
  });

  it('a token login may bind too (a device moving its stored token into the cookie)', async () => {
    const first = await registered();
    const login = await first.call('AccountLoginCommand', { userInformation: { username: 'abe', password: TEST_PASSWORD } }, 'AccountLoginResponse');
    if (!login.loggedIn || !('sessionToken' in login)) throw new Error('login failed');
    const tab = await registered();
    const bound = await tab.call('AccountLoginCommand', { userInformation: { sessionToken: login.sessionToken }, bindCookie: true }, 'AccountLoginResponse');
    expect(bound).toMatchObject({ loggedIn: true, cookieCode: expect.any(String) });
    expect(bound).not.toHaveProperty('sessionToken');
    const res = await post((bound as { cookieCode: string }).cookieCode);
    expect(tokenOf(res.headers.get('set-cookie')!)).toBe(login.sessionToken);
    for (const c of [first, tab]) c.close();
  });

  it('a public-computer login never binds: it gets its token as before', async () => {
    const { client, reply } = await bindLogin('abe', true);
    expect(reply).toMatchObject({ loggedIn: true, sessionToken: expect.any(String) });
    expect(reply).not.toHaveProperty('cookieCode');
    client.close();
  });

  it('DELETE /session/cookie (our pages only) ends the cookie\'s session and clears the cookie', async () => {
    const { client, reply } = await bindLogin('wes');
    const token = tokenOf((await post(reply['cookieCode'])).headers.get('set-cookie')!);
    const tab = await cookieSocket(token);
    await tab.call('AccountLoginCommand', { userInformation: { useCookie: true } }, 'AccountLoginResponse');

    const foreign = await fetch(`${server.url}/session/cookie`, { method: 'DELETE', headers: { Origin: EVIL, Cookie: `tidings_session=${token}` } });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('set-cookie')).toBeNull();
    await tab.call('GetContactsCommand', {}, 'ContactsResponse');

    const cleared = await fetch(`${server.url}/session/cookie`, { method: 'DELETE', headers: { Origin: server.url, Cookie: `tidings_session=${token}` } });
    expect(cleared.status).toBe(204);
    expect(cleared.headers.get('set-cookie')).toBe('tidings_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0');
    // Every socket of that session is logged out at once, and the cookie no longer logs in.
    for (const s of [client, tab]) await s.next('SessionRevokedNotification');
    const after = await cookieSocket(token);
    expect(await after.call('AccountLoginCommand', { userInformation: { useCookie: true } }, 'AccountLoginResponse')).toMatchObject({ loggedIn: false, reason: 'SESSION_EXPIRED' });
    for (const c of [client, tab, after]) c.close();
  });

  it('a trusted session in daily use still ends 90 days after its login (SESSION_EXPIRED)', async () => {
    const first = await registered();
    const login = await first.call('AccountLoginCommand', { userInformation: { username: 'xia', password: TEST_PASSWORD } }, 'AccountLoginResponse');
    if (!login.loggedIn || !('sessionToken' in login)) throw new Error('login failed');
    first.close();
    const loggedInAt = Date.now() + offset;
    // A token login every 20 days keeps it well within its 30 days of idleness...
    for (let day = 20; day <= 80; day += 20) {
      offset = loggedInAt - Date.now() + day * DAY;
      const c = await registered();
      expect(await c.call('AccountLoginCommand', { userInformation: { sessionToken: login.sessionToken } }, 'AccountLoginResponse')).toMatchObject({ loggedIn: true });
      c.close();
    }
    // ...but not past 90 days from the login.
    offset = loggedInAt - Date.now() + 90 * DAY + 1000;
    const late = await registered();
    expect(await late.call('AccountLoginCommand', { userInformation: { sessionToken: login.sessionToken } }, 'AccountLoginResponse')).toMatchObject({ loggedIn: false, reason: 'SESSION_EXPIRED' });
    late.close();
  });

  it('guessing codes is bounded per address, like guessing tokens', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await post(`guess${i}`)).status);
    // tokenLoginFailuresPerAddress is 8 here (and this file spent some on refused tokens already).
    expect(statuses.filter((s) => s === 403).length).toBeLessThanOrEqual(8);
    const refused = await post('one-more-guess');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('session cookie behind TLS', () => {
  it('is Secure', async () => {
    const server = await startTestServer({ behindTls: true });
    try {
      await seedUsers(server, ['sam'], false);
      const c = await ProtocolClient.connect(server.wsUrl);
      await c.register();
      const reply = await c.call('AccountLoginCommand', { userInformation: { username: 'sam', password: TEST_PASSWORD }, bindCookie: true }, 'AccountLoginResponse');
      const res = await fetch(`${server.url}/session/cookie`, {
        method: 'POST',
        headers: { Origin: server.url, 'Content-Type': 'application/json' },
        body: JSON.stringify({ code: (reply as { cookieCode: string }).cookieCode }),
      });
      expect(res.headers.get('set-cookie')).toMatch(/; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+; Secure$/);
      c.close();
    } finally {
      await server.close();
    }
  });
});

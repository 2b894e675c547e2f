import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../src/protocol/index';
import type { RunningServer } from '../app';
import { hashToken } from '../auth/tokens';
import { ProtocolClient } from '../test/protocol-client';
import { TEST_PASSWORD, seedUsers, startTestServer } from '../test/harness';

const CHROMIUM_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

/** "Where you are signed in" (docs/PROTOCOL.md section 11): listing and ending sessions, over real sockets. */
describe('account: sessions', () => {
  let server: RunningServer;
  let offset = 0;
  beforeAll(async () => {
    // The clock moves in the test; the heartbeat and login deadline must not close sockets when it does.
    server = await startTestServer({ now: () => Date.now() + offset, loginDeadlineMs: 0, limits: { heartbeatIntervalMs: 400 * 86_400_000 } });
    await seedUsers(server, ['uma', 'vic'], false);
  });
  afterAll(() => server.close());

  async function login(username: string, userAgent: string, publicComputer = false): Promise<{ client: ProtocolClient; token: string }> {
    const client = await ProtocolClient.connect(server.wsUrl, { headers: { 'User-Agent': userAgent } });
    await client.register();
    const r = await client.call('AccountLoginCommand', { userInformation: { username, password: TEST_PASSWORD }, publicComputer }, 'AccountLoginResponse');
    if (!r.loggedIn || !('sessionToken' in r)) throw new Error('login failed');
    return { client, token: r.sessionToken };
  }

  async function resume(token: string): Promise<ProtocolClient> {
    const client = await ProtocolClient.connect(server.wsUrl);
    await client.register();
    await client.call('AccountLoginCommand', { userInformation: { sessionToken: token } }, 'AccountLoginResponse');
    return client;
  }

  async function list(c: ProtocolClient): Promise<SessionInfo[]> {
    return (await c.call('GetSessionsCommand', {}, 'SessionsResponse')).sessions;
  }

  it('lists live sessions only, with which is current, the client, and ids that are neither the token nor its hash', async () => {
    const desk = await login('uma', CHROMIUM_LINUX);
    offset += 1000;
    const cafe = await login('uma', FIREFOX_WINDOWS, true);
    const sessions = await list(desk.client);
    expect(sessions).toHaveLength(2);
    // Most recently used first: the desk socket's command just now touched its session.
    expect(sessions[0]).toMatchObject({ current: true, publicComputer: false, client: 'Chromium on Linux' });
    expect(sessions[1]).toMatchObject({ current: false, publicComputer: true, client: 'Firefox on Windows' });
    for (const s of sessions) {
      expect(s.id).toMatch(/^s_[A-Za-z0-9_-]{22}$/);
      expect([desk.token, cafe.token, hashToken(desk.token), hashToken(cafe.token)]).not.toContain(s.id);
      expect(s.createdAt).toBeLessThanOrEqual(s.lastUsedAt);
    }
    // The same session from another socket is the same entry, current there too.
    const deskTab = await resume(desk.token);
    const fromTab = await list(deskTab);
    expect(fromTab.find((s) => s.current)!.id).toBe(sessions[0]!.id);
    // A public-computer session idle past its 30 minutes is no longer listed (nor usable).
    offset += 31 * 60_000;
    const later = await list(desk.client);
    expect(later.map((s) => s.id)).toEqual([sessions[0]!.id]);
    for (const c of [desk.client, cafe.client, deskTab]) c.close();
  });

  it('revokes one session (its sockets are told at once), refuses others\' and unknown ids alike, and revokes all others', async () => {
    const a = await login('vic', CHROMIUM_LINUX);
    const b = await login('vic', FIREFOX_WINDOWS);
    const bTab = await resume(b.token);
    const c = await login('vic', CHROMIUM_LINUX);
    const uma = await login('uma', CHROMIUM_LINUX);
    const umaSession = (await list(uma.client)).find((s) => s.current)!.id;
    const bId = (await list(b.client)).find((s) => s.current)!.id;

    for (const sessionId of [umaSession, 's_AAAAAAAAAAAAAAAAAAAAAA', 'not a session id']) {
      const e = await a.client.fail('RevokeSessionCommand', { sessionId });
      expect(e.code).toBe('NOT_FOUND');
    }
    // Uma's session was not touched.
    await uma.client.call('GetContactsCommand', {}, 'ContactsResponse');

    expect(await a.client.call('RevokeSessionCommand', { sessionId: bId }, 'RevokeSessionResponse')).toMatchObject({ revoked: true, count: 1 });
    for (const s of [b.client, bTab]) {
      await s.next('SessionRevokedNotification');
      expect((await s.fail('GetContactsCommand', {})).code).toBe('NOT_AUTHENTICATED');
    }
    const gone = await ProtocolClient.connect(server.wsUrl);
    await gone.register();
    expect(await gone.call('AccountLoginCommand', { userInformation: { sessionToken: b.token } }, 'AccountLoginResponse')).toMatchObject({ loggedIn: false, reason: 'SESSION_EXPIRED' });
    expect((await list(a.client)).map((s) => s.id)).not.toContain(bId);

    // All others: c's socket is told, a stays.
    const others = await a.client.call('RevokeSessionCommand', { others: true }, 'RevokeSessionResponse');
    expect(others.count).toBe(1);
    await c.client.next('SessionRevokedNotification');
    expect(await list(a.client)).toHaveLength(1);
    for (const s of [a.client, b.client, bTab, c.client, uma.client, gone]) s.close();
  });

  it('revoking the current session is a logout: this socket is answered, its other sockets are told', async () => {
    const d = await login('vic', CHROMIUM_LINUX);
    const dTab = await resume(d.token);
    const current = (await list(d.client)).find((s) => s.current)!.id;
    expect((await d.client.call('RevokeSessionCommand', { sessionId: current }, 'RevokeSessionResponse')).revoked).toBe(true);
    expect(await d.client.receives('SessionRevokedNotification', 200)).toBe(false);
    expect((await d.client.fail('GetSessionsCommand', {})).code).toBe('NOT_AUTHENTICATED');
    await dTab.next('SessionRevokedNotification');
    for (const s of [d.client, dTab]) s.close();
  });
});

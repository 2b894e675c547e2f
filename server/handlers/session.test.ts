import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../app';
import { ProtocolClient } from '../test/protocol-client';
import { TEST_PASSWORD, loginAs, seedUsers, sleep, startTestServer } from '../test/harness';

describe('session and account commands', () => {
  let server: RunningServer;
  beforeAll(async () => {
    // A long first wait after the allowed failures, so the throttle test does not depend on how fast it runs.
    server = await startTestServer({
      limits: { publicSessionIdleMs: 400, publicSessionMaxMs: 10_000, loginDelayBaseMs: 15 * 60_000, sessionsPerUser: 3 },
      sessionSweepIntervalMs: 50,
    });
    await seedUsers(server, ['dora', 'eve', 'frank', 'gina', 'hank', 'ivy', 'jill']);
  });
  afterAll(() => server.close());

  it('answers registration with the protocol version, heartbeat and limits', async () => {
    const c = await ProtocolClient.connect(server.wsUrl);
    const reg = await c.register();
    expect(reg).toMatchObject({ protocolVersion: 2, heartbeatIntervalMs: 25_000, limits: { maxFrameBytes: 65536, maxBodyLength: 4000 } });
    expect(reg.clientId).toMatch(/.+/);
    c.close();
  });

  it('accepts ping before registration but nothing else', async () => {
    const c = await ProtocolClient.connect(server.wsUrl);
    expect(await c.call('PingCommand', { t: 42 }, 'PongResponse')).toMatchObject({ t: 42 });
    const err = await c.fail('AccountLoginCommand', { userInformation: { username: 'dora', password: TEST_PASSWORD } });
    expect(err.code).toBe('NOT_REGISTERED');
    expect(err.command).toBe('AccountLoginCommand');
    c.close();
  });

  it('refuses post-login commands before login with NOT_AUTHENTICATED', async () => {
    const c = await ProtocolClient.connect(server.wsUrl);
    await c.register();
    expect((await c.fail('GetContactsCommand', {})).code).toBe('NOT_AUTHENTICATED');
    expect((await c.fail('AccountLogoutCommand', {})).code).toBe('NOT_AUTHENTICATED');
    c.close();
  });

  it('creates an account, refuses a taken name with CONFLICT, and logs the new user in', async () => {
    const c = await ProtocolClient.connect(server.wsUrl);
    await c.register();
    const created = await c.call(
      'AccountCreateCommand',
      { userInformation: { username: 'NewUser', password: 'long enough', displayName: 'New User' } },
      'AccountCreateResponse',
    );
    expect(created.user).toMatchObject({ username: 'newuser', displayName: 'New User' });
    const taken = await c.fail('AccountCreateCommand', { userInformation: { username: 'newuser', password: 'long enough' } });
    expect(taken.code).toBe('CONFLICT');
    const bad = await c.fail('AccountCreateCommand', { userInformation: { username: 'x', password: 'long enough' } });
    expect(bad.code).toBe('INVALID_PAYLOAD');
    expect(bad.message).toContain('userInformation.username');
    const login = await c.call('AccountLoginCommand', { userInformation: { username: 'newuser', password: 'long enough' } }, 'AccountLoginResponse');
    expect(login).toMatchObject({ loggedIn: true, user: { username: 'newuser' } });
    c.close();
  });

  it('fails a wrong password with BAD_CREDENTIALS and an unknown user the same way', async () => {
    const c = await ProtocolClient.connect(server.wsUrl);
    await c.register();
    const wrong = await c.call('AccountLoginCommand', { userInformation: { username: 'dora', password: 'nope-nope' } }, 'AccountLoginResponse');
    expect(wrong).toEqual({ requestId: expect.any(String), loggedIn: false, reason: 'BAD_CREDENTIALS' });
    const unknown = await c.call('AccountLoginCommand', { userInformation: { username: 'nobody', password: 'nope-nope' } }, 'AccountLoginResponse');
    expect(unknown).toMatchObject({ loggedIn: false, reason: 'BAD_CREDENTIALS' });
    c.close();
  });

  it('resumes the same session with a token login, with a 32-byte base64url token', async () => {
    const { client, token } = await loginAs(server, 'dora');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const c2 = await ProtocolClient.connect(server.wsUrl);
    await c2.register();
    const resumed = await c2.call('AccountLoginCommand', { userInformation: { sessionToken: token } }, 'AccountLoginResponse');
    expect(resumed).toMatchObject({ loggedIn: true, sessionToken: token, user: { username: 'dora' } });
    // Only the hash of the token is stored.
    const stored = server.db.prepare('SELECT token_hash FROM sessions').pluck().all() as string[];
    expect(stored).not.toContain(token);
    client.close();
    c2.close();
  });

  it('throttles the 6th attempt within the window even with the right password', async () => {
    const c = await ProtocolClient.connect(server.wsUrl);
    await c.register();
    for (let i = 0; i < 5; i++) {
      const r = await c.call('AccountLoginCommand', { userInformation: { username: 'eve', password: `wrong-${i}xx` } }, 'AccountLoginResponse');
      expect(r).toMatchObject({ loggedIn: false, reason: 'BAD_CREDENTIALS' });
    }
    const sixth = await c.call('AccountLoginCommand', { userInformation: { username: 'eve', password: TEST_PASSWORD } }, 'AccountLoginResponse');
    expect(sixth).toMatchObject({ loggedIn: false, reason: 'THROTTLED' });
    // The answer says when to retry: the first wait, less the moments since the fifth failure.
    const retryAfterMs = (sixth as { retryAfterMs?: number }).retryAfterMs;
    expect(retryAfterMs).toBeGreaterThan(14 * 60_000);
    expect(retryAfterMs).toBeLessThanOrEqual(15 * 60_000);
    // Another username is unaffected.
    const other = await c.call('AccountLoginCommand', { userInformation: { username: 'frank', password: TEST_PASSWORD } }, 'AccountLoginResponse');
    expect(other.loggedIn).toBe(true);
    c.close();
  });

  it('keeps at most sessionsPerUser sessions: a login past it ends the least recently used, telling its other sockets only', async () => {
    const { client: a, token: first } = await loginAs(server, 'jill');
    const b = await ProtocolClient.connect(server.wsUrl);
    await b.register();
    await b.call('AccountLoginCommand', { userInformation: { sessionToken: first } }, 'AccountLoginResponse');
    for (let i = 0; i < 3; i++) {
      const again = await a.call('AccountLoginCommand', { userInformation: { username: 'jill', password: TEST_PASSWORD } }, 'AccountLoginResponse');
      expect(again.loggedIn).toBe(true);
    }
    expect(await b.next('SessionRevokedNotification')).toEqual({});
    expect((await a.call('GetContactsCommand', {}, 'ContactsResponse')).contacts).toBeDefined();
    const stored = server.db.prepare("SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'jill'").pluck().get();
    expect(stored).toBe(3);
    const c = await ProtocolClient.connect(server.wsUrl);
    await c.register();
    expect(await c.call('AccountLoginCommand', { userInformation: { sessionToken: first } }, 'AccountLoginResponse')).toMatchObject({ loggedIn: false, reason: 'SESSION_EXPIRED' });
    for (const x of [a, b, c]) x.close();
  });

  it('logout revokes the token at once and notifies the session’s other sockets', async () => {
    const { client: a, token } = await loginAs(server, 'gina');
    const b = await ProtocolClient.connect(server.wsUrl);
    await b.register();
    await b.call('AccountLoginCommand', { userInformation: { sessionToken: token } }, 'AccountLoginResponse');
    await b.call('SubscribeCommand', { resource: 'contacts' }, 'SubscribeResponse');
    const out = await a.call('AccountLogoutCommand', {}, 'AccountLogoutResponse');
    expect(out.loggedOut).toBe(true);
    expect(await b.next('SessionRevokedNotification')).toEqual({});
    expect((await b.fail('GetContactsCommand', {})).code).toBe('NOT_AUTHENTICATED');
    expect((await a.fail('GetContactsCommand', {})).code).toBe('NOT_AUTHENTICATED');
    const c = await ProtocolClient.connect(server.wsUrl);
    await c.register();
    const again = await c.call('AccountLoginCommand', { userInformation: { sessionToken: token } }, 'AccountLoginResponse');
    expect(again).toMatchObject({ loggedIn: false, reason: 'SESSION_EXPIRED' });
    for (const x of [a, b, c]) x.close();
  });

  it('expires an idle public-computer session: connected sockets are told, token login fails', async () => {
    const { client, token } = await loginAs(server, 'hank', true);
    expect(await client.next('SessionRevokedNotification', 2000)).toEqual({});
    expect((await client.fail('GetContactsCommand', {})).code).toBe('NOT_AUTHENTICATED');
    const c = await ProtocolClient.connect(server.wsUrl);
    await c.register();
    const again = await c.call('AccountLoginCommand', { userInformation: { sessionToken: token } }, 'AccountLoginResponse');
    expect(again).toMatchObject({ loggedIn: false, reason: 'SESSION_EXPIRED' });
    client.close();
    c.close();
  });

  it('keeps a public session alive while there is traffic, then reports the expiry on token login', async () => {
    const { client, token } = await loginAs(server, 'frank', true);
    for (let i = 0; i < 4; i++) {
      await sleep(150);
      await client.call('GetContactsCommand', {}, 'ContactsResponse');
    }
    client.close();
    await client.closed;
    await sleep(500);
    const c = await ProtocolClient.connect(server.wsUrl);
    await c.register();
    const again = await c.call('AccountLoginCommand', { userInformation: { sessionToken: token } }, 'AccountLoginResponse');
    expect(again).toMatchObject({ loggedIn: false, reason: 'SESSION_EXPIRED' });
    c.close();
  });

  it('does not count a socket that closed during its login as online', async () => {
    const c = await ProtocolClient.connect(server.wsUrl);
    await c.register();
    c.send('AccountLoginCommand', { userInformation: { username: 'ivy', password: TEST_PASSWORD } });
    c.close();
    await c.closed;
    await sleep(300);
    const { client: dora } = await loginAs(server, 'dora');
    const contacts = await dora.call('GetContactsCommand', {}, 'ContactsResponse');
    const ivy = Object.values(contacts.contacts).find((x) => x.username === 'ivy');
    expect(ivy?.online).toBe(false);
    dora.close();
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SessionCookie } from '../communicator/session-cookie';
import { FakeWebSocket } from '../communicator/testing/fake-web-socket';
import type { ClientCore } from '../core/create-client-core';
import type { StoreBackends } from '../store/store';
import type { RecordingBackend } from '../store/testing/recording-backend';
import type { FakeServer } from './testing/fake-server';
import { buildCore, deviceBackends, sentBy, settle, startFakeWorld, endFakeWorld } from './testing/core-harness';

/** The cookie-bound trusted session of a browser (docs/OFFLINE.md): no token kept anywhere, resumed by cookie. */
let server: FakeServer;
let cores: ClientCore[];

function browserCore(device: StoreBackends = deviceBackends()): ClientCore {
  const core = buildCore(device, { sessionCookie: new SessionCookie({ fetch: server.accounts.cookieFetch }) });
  cores.push(core);
  return core;
}

async function online(core: ClientCore): Promise<void> {
  void core.start();
  await settle(1);
  server.acceptAll();
  await settle(1);
}

async function trustedLogin(core: ClientCore, username = 'alice'): Promise<void> {
  await online(core);
  core.session.login({ username, password: `tidings-${username}`, publicComputer: false });
  await settle();
}

/** Everything the device stored, as one string: the token must not be in it. */
function stored(device: StoreBackends): string {
  const dump = (backend: unknown) => JSON.stringify([...(backend as RecordingBackend).data]);
  return dump(device.local) + dump(device.indexed);
}

function events(core: ClientCore): { ended: string[]; failures: string[] } {
  const log = { ended: [] as string[], failures: [] as string[] };
  core.dispatch.subscribe('session:ended', (e) => log.ended.push(e.reason));
  core.dispatch.subscribe('login:failed', (e) => log.failures.push(e.reason));
  return log;
}

beforeEach(() => {
  server = startFakeWorld();
  cores = [];
});
afterEach(async () => {
  for (const core of cores) await core.stop();
  endFakeWorld();
});

describe('a trusted browser session bound to the HttpOnly cookie', () => {
  it('asks for a cookie code, binds it at once, and keeps no token on the device or in the record', async () => {
    const device = deviceBackends();
    const core = browserCore(device);
    await trustedLogin(core);
    await core.store.flush();
    expect(sentBy('AccountLoginCommand')[0]).toMatchObject({ userInformation: { username: 'alice' }, publicComputer: false, bindCookie: true });
    expect(server.accounts.cookieRequests).toEqual([{ method: 'POST', code: 'code-1' }]);
    expect(server.accounts.cookieJar).toBe('tok-c1');
    expect(core.store.find('session', 'current')).toMatchObject({ sessionToken: null, cookieBound: true, user: { username: 'alice' } });
    expect(core.session.hasStoredSession()).toBe(true);
    expect(stored(device)).toContain('alice');
    expect(stored(device)).not.toContain('tok-');
    expect(core.collections.conversations.pluck('id')).toEqual(['c1']);
  });

  it('resumes by cookie after a reload and every reconnect, never keeping a token the answer carries', async () => {
    const device = deviceBackends();
    const first = browserCore(device);
    await trustedLogin(first);
    await first.store.flush();
    await first.stop();

    const second = browserCore(device);
    await online(second);
    await settle();
    expect(second.session.currentUser()?.username).toBe('alice');
    expect(FakeWebSocket.latest().sentNamed('AccountLoginCommand')[0]).toMatchObject({ userInformation: { useCookie: true } });
    server.dropAll();
    await settle(300);
    server.acceptAll();
    await settle();
    expect(FakeWebSocket.latest().sentNamed('AccountLoginCommand')[0]).toMatchObject({ userInformation: { useCookie: true } });
    await second.store.flush();
    // The fake server puts the token in its answer to a cookie login; the client drops it.
    expect(second.store.find('session', 'current')?.sessionToken).toBeNull();
    expect(stored(device)).not.toContain('tok-');
  });

  it('sends the same code again while the network is cut between the login and the POST, then binds', async () => {
    const core = browserCore();
    server.accounts.cookieRouteDown = 2;
    await trustedLogin(core);
    expect(core.store.find('session', 'current')?.cookieBound).toBe(false);
    await settle(3000);
    expect(server.accounts.cookieRequests.map((r) => r.code)).toEqual(['code-1', 'code-1', 'code-1']);
    expect(core.store.find('session', 'current')?.cookieBound).toBe(true);
  });

  it('a socket that reconnected before the cookie was set waits, then logs in by cookie', async () => {
    const core = browserCore();
    server.accounts.cookieRouteDown = 3;
    await trustedLogin(core);
    const first = FakeWebSocket.latest();
    server.dropAll();
    await settle(300);
    server.acceptAll();
    await settle(1);
    const second = FakeWebSocket.latest();
    expect(second).not.toBe(first);
    expect(second.sentNamed('ClientRegistrationCommand')).toHaveLength(1);
    expect(second.sentNamed('AccountLoginCommand')).toEqual([]);
    await settle(3000);
    expect(core.store.find('session', 'current')?.cookieBound).toBe(true);
    expect(second.sentNamed('AccountLoginCommand')[0]).toMatchObject({ userInformation: { useCookie: true } });
    expect(core.session.currentUser()?.username).toBe('alice');
  });

  it('a code that never reaches the server in time: logged out on the server, the password asked again, the outbox kept', async () => {
    const core = browserCore();
    const log = events(core);
    server.accounts.cookieRouteDown = 1000;
    await trustedLogin(core);
    server.silent = true; // the messages stay in the outbox
    core.outbox.send('c1', 'written before the cookie');
    server.silent = false;
    await settle(60_000);
    expect(sentBy('AccountLogoutCommand')).toHaveLength(1);
    expect(log.ended).toEqual(['expired']);
    expect(log.failures).toEqual(['NOT_KEPT']);
    expect(core.session.hasStoredSession()).toBe(false);
    expect(core.collections.conversations.length).toBe(1);

    server.accounts.cookieRouteDown = 0;
    core.session.login({ username: 'alice', password: 'tidings-alice', publicComputer: false });
    await settle();
    expect(core.store.find('session', 'current')?.cookieBound).toBe(true);
    expect(core.outbox.pendingCount()).toBe(0);
    expect(server.messages.get('c1')!.map((m) => m.body)).toEqual(['written before the cookie']);
  });

  it('a refused code is final: no second POST, the password is asked again', async () => {
    const core = browserCore();
    const log = events(core);
    server.accounts.cookieRouteRefuses = true;
    await trustedLogin(core);
    await settle(10_000);
    expect(server.accounts.cookieRequests).toHaveLength(1);
    expect(log.failures).toEqual(['NOT_KEPT']);
    expect(core.session.hasStoredSession()).toBe(false);
  });

  it('an expired cookie keeps the data and asks for the password; the dead cookie is cleared', async () => {
    const device = deviceBackends();
    const first = browserCore(device);
    await trustedLogin(first);
    await first.store.flush();
    await first.stop();
    server.tokens.clear();
    const second = browserCore(device);
    const log = events(second);
    await online(second);
    await settle();
    expect(log.ended).toEqual(['expired']);
    expect(log.failures).toEqual(['SESSION_EXPIRED']);
    expect(second.collections.conversations.length).toBe(1);
    expect(server.accounts.cookieRequests.at(-1)).toEqual({ method: 'DELETE' });
  });

  it('logout and revocation clear the cookie and wipe the device', async () => {
    const device = deviceBackends();
    const core = browserCore(device);
    const log = events(core);
    await trustedLogin(core);
    server.accounts.revokeToken('tok-c1');
    await settle();
    expect(log.ended).toEqual(['revoked']);
    expect(server.accounts.cookieRequests.at(-1)).toEqual({ method: 'DELETE' });
    expect(server.accounts.cookieJar).toBeNull();
    expect((device.local as RecordingBackend).data.size).toBe(0);

    core.session.login({ username: 'alice', password: 'tidings-alice', publicComputer: false });
    await settle();
    expect(server.accounts.cookieJar).toBe('tok-c2');
    await core.session.logout();
    expect(log.ended).toEqual(['revoked', 'logout']);
    expect(server.accounts.cookieJar).toBeNull();
    expect((device.indexed as RecordingBackend).data.size).toBe(0);
  });

  it('a public computer keeps its token in memory only and never touches the cookie', async () => {
    const device = deviceBackends();
    const core = browserCore(device);
    await online(core);
    core.session.login({ username: 'alice', password: 'tidings-alice', publicComputer: true });
    await settle();
    expect(sentBy('AccountLoginCommand')[0]!['bindCookie']).toBeUndefined();
    expect(core.store.find('session', 'current')?.sessionToken).toMatch(/^tok-/);
    expect(server.accounts.cookieRequests).toEqual([]);
    await core.store.flush();
    expect((device.local as RecordingBackend).data.size).toBe(0);
  });

  it('a token stored before the cookie existed is traded for the cookie at the next start, and leaves the device', async () => {
    const device = deviceBackends();
    const old = buildCore(device);
    cores.push(old);
    await trustedLogin(old);
    await old.store.flush();
    await old.stop();
    expect(stored(device)).toContain('tok-1');

    const core = browserCore(device);
    await online(core);
    await settle();
    await core.store.flush();
    expect(FakeWebSocket.latest().sentNamed('AccountLoginCommand')[0]).toMatchObject({ userInformation: { sessionToken: 'tok-1' }, bindCookie: true });
    expect(server.accounts.cookieJar).toBe('tok-1');
    expect(core.store.find('session', 'current')).toMatchObject({ sessionToken: null, cookieBound: true });
    expect(stored(device)).not.toContain('tok-');
    expect(core.collections.conversations.length).toBe(1);
  });
});

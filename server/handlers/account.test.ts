import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Contact } from '../../src/protocol/index';
import type { RunningServer } from '../app';
import { ProtocolClient } from '../test/protocol-client';
import { TEST_PASSWORD, loginAs, seedUsers, startTestServer } from '../test/harness';

/** Display name and password changes (docs/PROTOCOL.md section 11), over real sockets. */
describe('account: display name and password', () => {
  let server: RunningServer;
  let ids: Record<string, string>;
  beforeAll(async () => {
    // A long first wait after the allowed failures: a throttled change stays refused for the test's length.
    server = await startTestServer({ limits: { loginFailuresAllowed: 2, loginDelayBaseMs: 15 * 60_000, profileChangesPerUserPerHour: 4 } });
    ids = await seedUsers(server, ['pia', 'quinn', 'rex', 'sue', 'tom'], false);
    server.seeder.contacts([[ids['pia']!, ids['quinn']!]]);
  });
  afterAll(() => server.close());

  async function passwordLogin(username: string, password: string): Promise<ProtocolClient | string> {
    const c = await ProtocolClient.connect(server.wsUrl);
    await c.register();
    const r = await c.call('AccountLoginCommand', { userInformation: { username, password } }, 'AccountLoginResponse');
    if (!r.loggedIn) {
      c.close();
      return r.reason;
    }
    return c;
  }

  it('a new display name reaches a contact live, a requester too, and the user\'s other sockets as ProfileChangedNotification', async () => {
    const { client: pia } = await loginAs(server, 'pia');
    const { client: piaOther } = await loginAs(server, 'pia');
    const { client: quinn } = await loginAs(server, 'quinn');
    const { client: rex } = await loginAs(server, 'rex');
    await rex.call('AddContactCommand', { username: 'pia' }, 'AddContactResponse');
    for (const c of [quinn, rex]) await c.call('SubscribeCommand', { resource: 'contacts' }, 'SubscribeResponse');

    const reply = await pia.call('UpdateProfileCommand', { displayName: '  Pia P.  ' }, 'UpdateProfileResponse');
    expect(reply.user).toEqual({ id: ids['pia'], username: 'pia', displayName: 'Pia P.' });
    expect(await piaOther.next('ProfileChangedNotification')).toEqual({ user: reply.user });
    expect(await pia.receives('ProfileChangedNotification', 200)).toBe(false);
    // Each lister sees their own entry: the contact with presence, the requester as their outgoing request without it.
    const toQuinn = await quinn.next('ResourceChangedNotification');
    expect((toQuinn.items as Record<string, Contact>)[ids['pia']!]).toMatchObject({ displayName: 'Pia P.', state: 'accepted', online: true });
    const toRex = await rex.next('ResourceChangedNotification');
    expect((toRex.items as Record<string, Contact>)[ids['pia']!]).toMatchObject({ displayName: 'Pia P.', state: 'outgoing', online: false, lastSeenAt: null });
    // What is stored: a new login reads it.
    const again = await ProtocolClient.connect(server.wsUrl);
    await again.register();
    const login = await again.call('AccountLoginCommand', { userInformation: { username: 'pia', password: TEST_PASSWORD } }, 'AccountLoginResponse');
    expect(login.loggedIn && login.user.displayName).toBe('Pia P.');
    for (const c of [pia, piaOther, quinn, rex, again]) c.close();
  });

  it('refuses empty, long and direction-changing display names, naming the character, and bounds changes per hour', async () => {
    const { client: sue } = await loginAs(server, 'sue');
    const bad: [string, RegExp][] = [
      ['   ', /displayName: must not be empty/],
      ['x'.repeat(65), /at most 64 characters, it has 65/],
      ['evil\u202Egpj.exe', /U\+202E at index 4/],
      ['\u2067Mallory', /U\+2067 at index 0/],
      ['Ann\u200Fie', /U\+200F/],
      ['line\nbreak', /U\+000A/],
    ];
    for (const [displayName, message] of bad) {
      const e = await sue.fail('UpdateProfileCommand', { displayName });
      expect(e.code).toBe('INVALID_PAYLOAD');
      expect(e.message).toMatch(message);
    }
    // 64 code points, astral ones included, is fine: the limit counts code points, not UTF-16 units.
    const astral = '\u{1F600}'.repeat(64);
    expect((await sue.call('UpdateProfileCommand', { displayName: astral }, 'UpdateProfileResponse')).user.displayName).toBe(astral);
    // profileChangesPerUserPerHour is 4 here (the refused ones were refused before counting).
    for (let i = 0; i < 3; i++) await sue.call('UpdateProfileCommand', { displayName: `Sue ${i}` }, 'UpdateProfileResponse');
    expect((await sue.fail('UpdateProfileCommand', { displayName: 'Sue again' })).code).toBe('RATE_LIMITED');
    // Sign-up follows the same rules.
    const c = await ProtocolClient.connect(server.wsUrl);
    await c.register();
    const signup = await c.fail('AccountCreateCommand', { userInformation: { username: 'mallory', password: 'long enough', displayName: 'a\u202Eb' } });
    expect(signup).toMatchObject({ code: 'INVALID_PAYLOAD', message: expect.stringContaining('U+202E') });
    for (const x of [sue, c]) x.close();
  });

  it('a password change ends every other session at once, keeps this one, and only the new password works', async () => {
    const { client: here } = await loginAs(server, 'tom');
    const { client: phone } = await loginAs(server, 'tom');
    const { client: laptop, token: laptopToken } = await loginAs(server, 'tom');
    const { client: tablet } = await loginAs(server, 'tom');
    const tooShort = await here.fail('ChangePasswordCommand', { currentPassword: TEST_PASSWORD, newPassword: 'short' });
    expect(tooShort).toMatchObject({ code: 'INVALID_PAYLOAD', message: expect.stringContaining('newPassword') });

    const changed = await here.call('ChangePasswordCommand', { currentPassword: TEST_PASSWORD, newPassword: 'a new long password' }, 'ChangePasswordResponse');
    expect(changed.changed).toBe(true);
    for (const other of [phone, laptop, tablet]) {
      await other.next('SessionRevokedNotification');
      expect((await other.fail('GetContactsCommand', {})).code).toBe('NOT_AUTHENTICATED');
    }
    expect(await here.receives('SessionRevokedNotification', 200)).toBe(false);
    await here.call('GetContactsCommand', {}, 'ContactsResponse');
    const resume = await ProtocolClient.connect(server.wsUrl);
    await resume.register();
    expect(await resume.call('AccountLoginCommand', { userInformation: { sessionToken: laptopToken } }, 'AccountLoginResponse')).toMatchObject({ loggedIn: false, reason: 'SESSION_EXPIRED' });
    expect(await passwordLogin('tom', TEST_PASSWORD)).toBe('BAD_CREDENTIALS');
    const withNew = await passwordLogin('tom', 'a new long password');
    expect(withNew).toBeInstanceOf(ProtocolClient);
    for (const c of [here, phone, laptop, tablet, resume, withNew as ProtocolClient]) c.close();
  });

  it('a wrong current password is FORBIDDEN and counts as a failed login; once throttled, RATE_LIMITED even with the right one', async () => {
    const { client: quinn } = await loginAs(server, 'quinn');
    // loginFailuresAllowed is 2 here: two wrong ones, then everything waits.
    for (let i = 0; i < 2; i++) {
      const wrong = await quinn.fail('ChangePasswordCommand', { currentPassword: 'not my password', newPassword: 'another long one' });
      expect(wrong).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('currentPassword') });
    }
    const throttled = await quinn.fail('ChangePasswordCommand', { currentPassword: TEST_PASSWORD, newPassword: 'another long one' });
    expect(throttled).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/retry .* in \d+ s/) });
    // The failures count for logins from this address too.
    const c = await ProtocolClient.connect(server.wsUrl);
    await c.register();
    expect(await c.call('AccountLoginCommand', { userInformation: { username: 'quinn', password: TEST_PASSWORD } }, 'AccountLoginResponse')).toMatchObject({
      loggedIn: false,
      reason: 'THROTTLED',
    });
    for (const x of [quinn, c]) x.close();
  });

  it('a successful change clears the failure count', async () => {
    const { client: rex } = await loginAs(server, 'rex');
    await rex.fail('ChangePasswordCommand', { currentPassword: 'wrong one', newPassword: 'rex password 2' });
    await rex.call('ChangePasswordCommand', { currentPassword: TEST_PASSWORD, newPassword: 'rex password 2' }, 'ChangePasswordResponse');
    // One more failure than allowed after the change would be throttled had the first been kept.
    for (let i = 0; i < 2; i++) expect((await rex.fail('ChangePasswordCommand', { currentPassword: 'wrong again', newPassword: 'rex password 3' })).code).toBe('FORBIDDEN');
    rex.close();
  });
});

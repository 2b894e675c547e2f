import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientCore } from '../core/create-client-core';
import { ProtocolError } from '../protocol';
import { passwordChangeRefusal } from './account-controller';
import type { FakeServer } from './testing/fake-server';
import { buildCore, settle, startFakeWorld, endFakeWorld } from './testing/core-harness';

/** The account's settings and contacts by consent, over the fake server (docs/PROTOCOL.md sections 11 and 12). */
let server: FakeServer;
let cores: ClientCore[];

async function loggedIn(username: string): Promise<ClientCore> {
  const core = buildCore();
  cores.push(core);
  void core.start();
  await settle(1);
  server.acceptAll();
  await settle(1);
  core.session.login({ username, password: `tidings-${username}`, publicComputer: false });
  await settle();
  return core;
}

function contact(core: ClientCore, id: string): Record<string, unknown> | undefined {
  return core.collections.contacts.get(id)?.toJSON() as Record<string, unknown> | undefined;
}

beforeEach(() => {
  server = startFakeWorld();
  server.addUser('u3', 'carol');
  cores = [];
});
afterEach(async () => {
  for (const core of cores) await core.stop();
  endFakeWorld();
});

describe('AccountController', () => {
  it('changes the display name: the header record here and the other tab of the same user follow', async () => {
    const tab1 = await loggedIn('alice');
    const tab2 = await loggedIn('alice');
    const user = await tab1.account.updateDisplayName('  Alice L.  ');
    await settle();
    expect(user.displayName).toBe('Alice L.');
    expect(tab1.session.currentUser()?.displayName).toBe('Alice L.');
    expect(tab2.session.currentUser()?.displayName).toBe('Alice L.');
  });

  it('a contact sees the new display name through the contacts resource', async () => {
    const alice = await loggedIn('alice');
    const bob = await loggedIn('bob');
    await alice.account.updateDisplayName('Alice Liddell');
    await settle();
    expect(contact(bob, 'u1')?.['displayName']).toBe('Alice Liddell');
  });

  it('refuses a wrong current password with FORBIDDEN, and a right one signs out every other session', async () => {
    const here = await loggedIn('alice');
    const elsewhere = await loggedIn('alice');
    const ended: string[] = [];
    elsewhere.dispatch.subscribe('session:ended', (e) => ended.push(e.reason));
    const wrong = await here.account.changePassword('not-it', 'brand-new-secret').catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ProtocolError);
    expect(passwordChangeRefusal(wrong)).toBe('wrong-password');
    expect(ended).toEqual([]);
    await here.account.changePassword('tidings-alice', 'brand-new-secret');
    await settle();
    expect(ended).toEqual(['revoked']);
    expect(elsewhere.session.currentUser()).toBeNull();
    expect(here.session.currentUser()?.username).toBe('alice');
    expect(passwordChangeRefusal(new ProtocolError('RATE_LIMITED', 'slow down'))).toBe('throttled');
  });

  it('lists the sessions with this one first, ends one, then all others', async () => {
    const here = await loggedIn('alice');
    const second = await loggedIn('alice');
    const third = await loggedIn('alice');
    const ended: string[] = [];
    for (const core of [second, third]) core.dispatch.subscribe('session:ended', (e) => ended.push(e.reason));
    const sessions = await here.account.sessions();
    expect(sessions).toHaveLength(3);
    expect(sessions[0]!.current).toBe(true);
    await here.account.revokeSession(sessions[1]!.id);
    await settle();
    expect(ended).toEqual(['revoked']);
    expect(await here.account.sessions()).toHaveLength(2);
    expect(await here.account.revokeOtherSessions()).toBe(1);
    await settle();
    expect(ended).toEqual(['revoked', 'revoked']);
    expect(await here.account.sessions()).toEqual([expect.objectContaining({ current: true })]);
    await expect(here.account.revokeSession('s-nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('contacts by consent', () => {
  beforeEach(() => {
    // alice and carol know only each other's usernames.
    server.accounts.relate('u1', 'u3', 'gone');
    server.accounts.relate('u3', 'u1', 'gone');
  });

  it('a request shows as outgoing on one side and incoming on the other, without presence; accepting makes both contacts', async () => {
    const alice = await loggedIn('alice');
    const carol = await loggedIn('carol');
    expect(contact(alice, 'u3')).toBeUndefined();
    const sent = await alice.directory.addContact('carol');
    await settle();
    expect(sent.state).toBe('outgoing');
    expect(contact(alice, 'u3')).toMatchObject({ state: 'outgoing', online: false });
    expect(contact(carol, 'u1')).toMatchObject({ state: 'incoming', online: false });
    const accepted = await carol.directory.answerRequest('u1', true);
    await settle();
    expect(accepted?.state).toBe('accepted');
    expect(contact(carol, 'u1')).toMatchObject({ state: 'accepted', online: true });
    expect(contact(alice, 'u3')).toMatchObject({ state: 'accepted', online: true });
  });

  it('a decline and a withdrawal take the entry off both lists', async () => {
    const alice = await loggedIn('alice');
    const carol = await loggedIn('carol');
    await alice.directory.addContact('carol');
    await settle();
    expect(await carol.directory.answerRequest('u1', false)).toBeNull();
    await settle();
    expect(contact(carol, 'u1')).toBeUndefined();
    expect(contact(alice, 'u3')).toBeUndefined();

    await carol.directory.addContact('alice');
    await settle();
    expect(contact(alice, 'u3')).toMatchObject({ state: 'incoming' });
    await carol.directory.removeContact('u1');
    await settle();
    expect(contact(alice, 'u3')).toBeUndefined();
    expect(contact(carol, 'u1')).toBeUndefined();
  });

  it('blocking from a request drops it and lists the person as blocked; unblocking takes them off', async () => {
    const alice = await loggedIn('alice');
    const carol = await loggedIn('carol');
    await carol.directory.addContact('alice');
    await settle();
    await alice.directory.setBlocked('u3', true);
    await settle();
    expect(contact(alice, 'u3')).toMatchObject({ state: 'none', blocked: true });
    await alice.directory.setBlocked('u3', false);
    await settle();
    expect(contact(alice, 'u3')).toBeUndefined();
  });

  it('a refused command rejects with its code and is announced as action:error', async () => {
    const alice = await loggedIn('alice');
    const errors: string[] = [];
    alice.dispatch.subscribe('action:error', (e) => errors.push(`${e.action} ${e.code}`));
    await expect(alice.directory.answerRequest('u3', true)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(errors).toEqual(['answerRequest NOT_FOUND']);
  });
});

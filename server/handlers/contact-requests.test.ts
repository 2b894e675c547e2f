import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Contact } from '../../src/protocol/index';
import type { RunningServer } from '../app';
import type { Frame, ProtocolClient } from '../test/protocol-client';
import { loginAs, seedUsers, startTestServer } from '../test/harness';

/**
 * Contacts by consent and blocks (docs/PROTOCOL.md section 12), over real
 * sockets: what each side sees in their list, what they are told, and what
 * they may no longer do.
 */
describe('contact requests and blocks', () => {
  let server: RunningServer;
  let ids: Record<string, string>;
  const names = ['amy', 'bob', 'cat', 'dan', 'eve', 'fay', 'gus', 'hal', 'ivy', 'jon', 'kit', 'lou', 'moe', 'nan'];
  beforeAll(async () => {
    // No offline grace: presence changes show at once, so "nothing arrived" is a real answer.
    server = await startTestServer({ presenceOfflineGraceMs: 0, limits: { blocksPerUserPerHour: 7, maxBlockedPerUser: 3 } });
    ids = await seedUsers(server, names, false);
  });
  afterAll(() => server.close());

  /** A logged-in socket subscribed to its contacts. */
  async function online(name: string): Promise<ProtocolClient> {
    const { client } = await loginAs(server, name);
    await client.call('SubscribeCommand', { resource: 'contacts' }, 'SubscribeResponse');
    return client;
  }

  const contactsNote = (f: Frame): boolean => f.name === 'ResourceChangedNotification' && f.payload['resource'] === 'contacts';

  /** The next contacts notification about `id`, and its entry (null: it left the list). */
  async function noteAbout(c: ProtocolClient, id: string): Promise<Contact | null> {
    const f = await c.waitFor((x) => contactsNote(x) && (x.payload['ids'] as string[]).includes(id), 3000, `contacts notification about ${id}`);
    return ((f.payload['items'] as Record<string, Contact>)[id] ?? null) as Contact | null;
  }

  async function entry(c: ProtocolClient, id: string): Promise<Contact | undefined> {
    return (await c.call('GetContactsCommand', { ids: [id] }, 'ContactsResponse')).contacts[id];
  }

  async function whole(c: ProtocolClient): Promise<Record<string, Contact>> {
    return (await c.call('GetContactsCommand', {}, 'ContactsResponse')).contacts;
  }

  /** Sockets log in and out during the tests; only waiting shows nothing else came. */
  async function quiet(c: ProtocolClient, ms = 300): Promise<boolean> {
    return !(await c.receives('ResourceChangedNotification', ms));
  }

  it('a request shows outgoing and incoming, and asking back (in either order) makes accepted contacts at once', async () => {
    const amy = await online('amy');
    const bob = await online('bob');
    const asked = await amy.call('AddContactCommand', { username: 'bob' }, 'AddContactResponse');
    expect(asked.contact).toMatchObject({ id: ids['bob'], state: 'outgoing', blocked: false, online: false, lastSeenAt: null });
    expect(await noteAbout(bob, ids['amy']!)).toMatchObject({ state: 'incoming', online: false, lastSeenAt: null });
    expect(await noteAbout(amy, ids['bob']!)).toMatchObject({ state: 'outgoing' });
    // Asking again changes nothing.
    expect((await amy.call('AddContactCommand', { username: 'bob' }, 'AddContactResponse')).contact.state).toBe('outgoing');
    // Bob asks back: that is consent, both become contacts and see each other online.
    const back = await bob.call('AddContactCommand', { username: 'amy' }, 'AddContactResponse');
    expect(back.contact).toMatchObject({ id: ids['amy'], state: 'accepted', online: true });
    expect(await noteAbout(amy, ids['bob']!)).toMatchObject({ state: 'accepted', online: true, blocked: false });
    expect((await whole(bob))[ids['amy']!]).toMatchObject({ state: 'accepted', online: true });
    // And they may now talk.
    await amy.call('CreateConversationCommand', { memberIds: [ids['bob']!] }, 'CreateConversationResponse');
    amy.close();
    bob.close();
  });

  it('a declined request keeps showing outgoing to its sender, who is not told; the decliner no longer sees it', async () => {
    const cat = await online('cat');
    const dan = await online('dan');
    await cat.call('AddContactCommand', { username: 'dan' }, 'AddContactResponse');
    await noteAbout(dan, ids['cat']!);
    await noteAbout(cat, ids['dan']!);
    const declined = await dan.call('AnswerContactRequestCommand', { userId: ids['cat']!, accept: false }, 'AnswerContactRequestResponse');
    expect(declined.contact).toBeNull();
    expect(await noteAbout(dan, ids['cat']!)).toBeNull();
    expect(await entry(dan, ids['cat']!)).toBeUndefined();
    expect(await quiet(cat)).toBe(true);
    expect(await entry(cat, ids['dan']!)).toMatchObject({ state: 'outgoing' });
    // Asking again stays a declined request: dan is not asked twice.
    await cat.call('AddContactCommand', { username: 'dan' }, 'AddContactResponse');
    expect(await quiet(dan)).toBe(true);
    // Answering what is not waiting is NOT_FOUND.
    expect((await dan.fail('AnswerContactRequestCommand', { userId: ids['cat']!, accept: true })).code).toBe('NOT_FOUND');
    // Dan changing his mind and asking makes them contacts: cat's request was consent.
    expect((await dan.call('AddContactCommand', { username: 'cat' }, 'AddContactResponse')).contact.state).toBe('accepted');
    expect(await noteAbout(cat, ids['dan']!)).toMatchObject({ state: 'accepted' });
    cat.close();
    dan.close();
  });

  it('withdraws an outgoing request and removes an accepted contact, whose direct conversation then takes no messages', async () => {
    const eve = await online('eve');
    const fay = await online('fay');
    await eve.call('AddContactCommand', { username: 'fay' }, 'AddContactResponse');
    await noteAbout(fay, ids['eve']!);
    await eve.call('RemoveContactCommand', { userId: ids['fay']! }, 'RemoveContactResponse');
    expect(await noteAbout(fay, ids['eve']!)).toBeNull();
    expect(await whole(eve)).toEqual({});
    expect(await whole(fay)).toEqual({});
    expect((await eve.fail('RemoveContactCommand', { userId: ids['fay']! })).code).toBe('NOT_FOUND');

    await eve.call('AddContactCommand', { username: 'fay' }, 'AddContactResponse');
    const accepted = await fay.call('AnswerContactRequestCommand', { userId: ids['eve']!, accept: true }, 'AnswerContactRequestResponse');
    expect(accepted.contact).toMatchObject({ state: 'accepted', online: true });
    // A retried accept answers the same contact.
    expect((await fay.call('AnswerContactRequestCommand', { userId: ids['eve']!, accept: true }, 'AnswerContactRequestResponse')).contact).toMatchObject({ state: 'accepted' });
    const conv = (await eve.call('CreateConversationCommand', { memberIds: [ids['fay']!] }, 'CreateConversationResponse')).conversation.id;
    await eve.call('SendMessageCommand', { conversationId: conv, clientMessageId: 'ef-1', body: 'hi' }, 'SendMessageResponse');
    const removed = await fay.call('RemoveContactCommand', { userId: ids['eve']! }, 'RemoveContactResponse');
    expect(removed.userId).toBe(ids['eve']);
    const [forEve, forFay] = await Promise.all([entry(eve, ids['fay']!), entry(fay, ids['eve']!)]);
    expect(forEve).toBeUndefined();
    expect(forFay).toBeUndefined();
    // The conversation stays, read-only in effect: nobody sends, a retry of what was stored still gets it back.
    expect((await eve.fail('SendMessageCommand', { conversationId: conv, clientMessageId: 'ef-2', body: 'still there?' })).code).toBe('FORBIDDEN');
    expect((await fay.fail('SendMessageCommand', { conversationId: conv, clientMessageId: 'fe-1', body: 'no' })).code).toBe('FORBIDDEN');
    const retry = await eve.call('SendMessageCommand', { conversationId: conv, clientMessageId: 'ef-1', body: 'hi' }, 'SendMessageResponse');
    expect(retry.duplicate).toBe(true);
    expect((await fay.call('GetMessagesCommand', { conversationId: conv }, 'MessagesResponse')).latestSeq).toBe(1);
    expect((await eve.fail('CreateConversationCommand', { memberIds: [ids['fay']!] })).code).toBe('FORBIDDEN');
    eve.close();
    fay.close();
  });

  it('shows no presence until a request is accepted, and no conversation can be made before', async () => {
    const gus = await online('gus');
    await gus.call('AddContactCommand', { username: 'hal' }, 'AddContactResponse');
    await noteAbout(gus, ids['hal']!);
    const hal = await online('hal');
    // Hal coming online tells gus nothing, and gus's entry shows no presence.
    expect(await quiet(gus)).toBe(true);
    expect(await entry(gus, ids['hal']!)).toMatchObject({ state: 'outgoing', online: false, lastSeenAt: null });
    expect(await entry(hal, ids['gus']!)).toMatchObject({ state: 'incoming', online: false, lastSeenAt: null });
    expect((await gus.fail('CreateConversationCommand', { memberIds: [ids['hal']!] })).code).toBe('FORBIDDEN');
    expect((await hal.fail('CreateConversationCommand', { memberIds: [ids['gus']!] })).code).toBe('FORBIDDEN');
    hal.close();
    expect(await quiet(gus)).toBe(true);
    gus.close();
  });

  it('blocking hides presence both ways, stops direct messages both ways and new conversations, but not shared groups; unblocking restores all', async () => {
    const [first, jon, kit] = await Promise.all([online('ivy'), online('jon'), online('kit')]);
    let ivy = first;
    server.seeder.contacts([[ids['ivy']!, ids['jon']!], [ids['ivy']!, ids['kit']!], [ids['jon']!, ids['kit']!]]);
    const direct = (await ivy.call('CreateConversationCommand', { memberIds: [ids['jon']!] }, 'CreateConversationResponse')).conversation.id;
    const group = (await ivy.call('CreateConversationCommand', { memberIds: [ids['jon']!, ids['kit']!] }, 'CreateConversationResponse')).conversation.id;
    expect(await entry(jon, ids['ivy']!)).toMatchObject({ state: 'accepted', online: true });

    const blocked = await ivy.call('BlockUserCommand', { userId: ids['jon']!, blocked: true }, 'BlockUserResponse');
    expect(blocked).toMatchObject({ userId: ids['jon'], blocked: true });
    expect(await noteAbout(ivy, ids['jon']!)).toMatchObject({ state: 'accepted', blocked: true, online: false, lastSeenAt: null });
    // The blocked one sees the blocker offline, without being told why.
    expect(await noteAbout(jon, ids['ivy']!)).toEqual(expect.objectContaining({ state: 'accepted', blocked: false, online: false, lastSeenAt: null }));

    for (const [who, cm] of [[ivy, 'i1'], [jon, 'j1']] as const) {
      expect((await who.fail('SendMessageCommand', { conversationId: direct, clientMessageId: cm, body: 'hello' })).code).toBe('FORBIDDEN');
      expect((await who.fail('TypingCommand', { conversationId: direct, typing: true })).code).toBe('FORBIDDEN');
    }
    expect((await jon.fail('CreateConversationCommand', { memberIds: [ids['ivy']!] })).code).toBe('FORBIDDEN');
    expect((await ivy.fail('CreateConversationCommand', { memberIds: [ids['jon']!] })).code).toBe('FORBIDDEN');
    expect((await jon.fail('CreateConversationCommand', { memberIds: [ids['ivy']!, ids['kit']!] })).code).toBe('FORBIDDEN');
    expect((await kit.call('CreateConversationCommand', { memberIds: [ids['ivy']!, ids['jon']!] }, 'CreateConversationResponse')).conversation.kind).toBe('group');
    // The shared group goes on: both are still members and may write there.
    await jon.call('SendMessageCommand', { conversationId: group, clientMessageId: 'j-group', body: 'in the group' }, 'SendMessageResponse');
    await ivy.call('SendMessageCommand', { conversationId: group, clientMessageId: 'i-group', body: 'me too' }, 'SendMessageResponse');

    // Presence changes of either no longer reach the other.
    const jon2 = await online('jon');
    expect(await quiet(ivy)).toBe(true);
    jon2.close();
    ivy.close();
    expect(await quiet(jon)).toBe(true);
    expect(await noteAbout(kit, ids['ivy']!)).toMatchObject({ online: false });
    ivy = await online('ivy');

    // A block by jon too, then ivy unblocks: still blocked one way, still closed.
    await jon.call('BlockUserCommand', { userId: ids['ivy']!, blocked: true }, 'BlockUserResponse');
    await ivy.call('BlockUserCommand', { userId: ids['jon']!, blocked: false }, 'BlockUserResponse');
    expect((await ivy.fail('SendMessageCommand', { conversationId: direct, clientMessageId: 'i2', body: 'hello?' })).code).toBe('FORBIDDEN');
    expect(await entry(ivy, ids['jon']!)).toMatchObject({ blocked: false, online: false, lastSeenAt: null });
    await jon.call('BlockUserCommand', { userId: ids['ivy']!, blocked: false }, 'BlockUserResponse');
    expect(await entry(ivy, ids['jon']!)).toMatchObject({ state: 'accepted', blocked: false, online: true });
    expect(await entry(jon, ids['ivy']!)).toMatchObject({ state: 'accepted', blocked: false, online: true });
    await ivy.call('SendMessageCommand', { conversationId: direct, clientMessageId: 'i3', body: 'back' }, 'SendMessageResponse');
    await jon.call('SendMessageCommand', { conversationId: direct, clientMessageId: 'j3', body: 'hi again' }, 'SendMessageResponse');
    await ivy.call('CreateConversationCommand', { memberIds: [ids['jon']!] }, 'CreateConversationResponse');
    for (const c of [ivy, jon, kit]) c.close();
  });

  it('a block drops the blocked one\'s pending request silently, and their new requests are dropped too', async () => {
    const lou = await online('lou');
    const moe = await online('moe');
    await moe.call('AddContactCommand', { username: 'lou' }, 'AddContactResponse');
    expect(await noteAbout(lou, ids['moe']!)).toMatchObject({ state: 'incoming' });
    await noteAbout(moe, ids['lou']!);
    await lou.call('BlockUserCommand', { userId: ids['moe']!, blocked: true }, 'BlockUserResponse');
    // Lou keeps an entry to unblock from; moe hears nothing and still sees the request as sent.
    expect(await noteAbout(lou, ids['moe']!)).toMatchObject({ state: 'none', blocked: true, online: false, lastSeenAt: null });
    expect(await quiet(moe)).toBe(true);
    expect(await entry(moe, ids['lou']!)).toMatchObject({ state: 'outgoing' });
    expect((await lou.fail('AnswerContactRequestCommand', { userId: ids['moe']!, accept: true })).code).toBe('NOT_FOUND');
    // Withdrawn and asked again while blocked: moe sees it sent, lou never sees it.
    await moe.call('RemoveContactCommand', { userId: ids['lou']! }, 'RemoveContactResponse');
    expect((await moe.call('AddContactCommand', { username: 'lou' }, 'AddContactResponse')).contact.state).toBe('outgoing');
    expect(await quiet(lou)).toBe(true);
    expect(await entry(lou, ids['moe']!)).toMatchObject({ state: 'none', blocked: true });
    // Unblocking leaves lou's list without moe (the dropped request stays dropped).
    await lou.call('BlockUserCommand', { userId: ids['moe']!, blocked: false }, 'BlockUserResponse');
    expect(await entry(lou, ids['moe']!)).toBeUndefined();
    lou.close();
    moe.close();
  });

  it('refuses bad targets with coded errors and bounds blocks per hour and in total', async () => {
    const nan = await online('nan');
    expect((await nan.fail('BlockUserCommand', { userId: ids['nan']!, blocked: true })).code).toBe('INVALID_PAYLOAD');
    const unknown = await nan.fail('BlockUserCommand', { userId: 'u_nobody', blocked: true });
    expect(unknown).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('u_nobody') });
    expect((await nan.fail('RemoveContactCommand', { userId: ids['amy']! })).code).toBe('NOT_FOUND');
    expect((await nan.fail('AnswerContactRequestCommand', { userId: ids['amy']!, accept: false })).code).toBe('NOT_FOUND');
    for (const name of ['amy', 'bob', 'cat']) await nan.call('BlockUserCommand', { userId: ids[name]!, blocked: true }, 'BlockUserResponse');
    // maxBlockedPerUser is 3 here.
    const full = await nan.fail('BlockUserCommand', { userId: ids['dan']!, blocked: true });
    expect(full).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('3') });
    // Blocking again one already blocked is no new block.
    await nan.call('BlockUserCommand', { userId: ids['amy']!, blocked: true }, 'BlockUserResponse');
    // blocksPerUserPerHour is 7: this is the seventh counted (the unknown user, the refused one and the repeat count too).
    await nan.call('BlockUserCommand', { userId: ids['amy']!, blocked: false }, 'BlockUserResponse');
    expect((await nan.fail('BlockUserCommand', { userId: ids['bob']!, blocked: false })).code).toBe('RATE_LIMITED');
    expect(Object.values(await whole(nan)).map((c) => c.blocked)).toEqual([true, true]);
    nan.close();
  });
});

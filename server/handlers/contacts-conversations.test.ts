import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../app';
import { loginAs, seedUsers, startTestServer } from '../test/harness';

describe('contacts, presence, conversations and subscriptions', () => {
  let server: RunningServer;
  let ids: Record<string, string>;
  beforeAll(async () => {
    server = await startTestServer();
    ids = await seedUsers(server, ['kim', 'lee', 'max', 'ned'], false);
  });
  afterAll(() => server.close());

  it('adds contacts both ways, notifies both sides, and NOT_FOUND for an unknown user', async () => {
    const { client: kim } = await loginAs(server, 'kim');
    const { client: lee } = await loginAs(server, 'lee');
    const subKim = await kim.call('SubscribeCommand', { resource: 'contacts' }, 'SubscribeResponse');
    await lee.call('SubscribeCommand', { resource: 'contacts' }, 'SubscribeResponse');
    const added = await kim.call('AddContactCommand', { username: 'LEE' }, 'AddContactResponse');
    expect(added.contact).toMatchObject({ id: ids['lee'], username: 'lee', displayName: 'LEE', online: true });
    const toLee = await lee.next('ResourceChangedNotification');
    expect(toLee).toMatchObject({ resource: 'contacts', ids: [ids['kim']] });
    const toKim = await kim.next('ResourceChangedNotification');
    expect(toKim.version).toBeGreaterThan(subKim.version);
    const list = await lee.call('GetContactsCommand', {}, 'ContactsResponse');
    expect(Object.keys(list.contacts)).toEqual([ids['kim']]);
    expect(list.version).toBe(toLee.version);
    expect((await kim.fail('AddContactCommand', { username: 'ghost' })).code).toBe('NOT_FOUND');
    expect((await kim.fail('AddContactCommand', { username: 'kim' })).code).toBe('INVALID_PAYLOAD');

    // Presence: lee going offline reaches kim's contacts with lastSeenAt, once the grace after the close is over.
    lee.close();
    const off = await kim.waitFor((f) => f.name === 'ResourceChangedNotification' && f.payload['resource'] === 'contacts', 10_000);
    const entry = (off.payload['items'] as Record<string, { online: boolean; lastSeenAt: number | null }>)[ids['lee']!]!;
    expect(entry.online).toBe(false);
    expect(entry.lastSeenAt).toBeGreaterThan(Date.now() - 5000);
    const { client: lee2 } = await loginAs(server, 'lee');
    const on = await kim.waitFor((f) => f.name === 'ResourceChangedNotification' && f.payload['resource'] === 'contacts');
    expect((on.payload['items'] as Record<string, { online: boolean }>)[ids['lee']!]!.online).toBe(true);
    const unsub = await kim.call('UnsubscribeCommand', { resource: 'contacts' }, 'UnsubscribeResponse');
    expect(unsub.resource).toBe('contacts');
    lee2.close();
    expect(await kim.receives('ResourceChangedNotification', 200)).toBe(false);
    kim.close();
  });

  it('creates one direct conversation per pair and refuses non-contacts with FORBIDDEN', async () => {
    const { client: kim } = await loginAs(server, 'kim');
    const { client: lee } = await loginAs(server, 'lee');
    await lee.call('SubscribeCommand', { resource: 'conversations' }, 'SubscribeResponse');
    const first = await kim.call('CreateConversationCommand', { memberIds: [ids['lee']!] }, 'CreateConversationResponse');
    // Version 2 (section 7a): a direct conversation has no owner; founders joined at 1; nothing read yet.
    expect(first.conversation).toMatchObject({ kind: 'direct', latestSeq: 0, ownerId: null, myDeliveredSeq: 0, myReadSeq: 0, deliveredToAllSeq: 0, readByAllSeq: 0 });
    expect(first.conversation.memberIds.sort()).toEqual([ids['kim'], ids['lee']].sort());
    expect(first.conversation.members).toEqual({ [ids['kim']!]: { joinedSeq: 1 }, [ids['lee']!]: { joinedSeq: 1 } });
    const note = await lee.next('ResourceChangedNotification');
    expect(note).toMatchObject({ resource: 'conversations', ids: [first.conversation.id] });
    const again = await lee.call('CreateConversationCommand', { memberIds: [ids['kim']!, ids['lee']!] }, 'CreateConversationResponse');
    expect(again.conversation.id).toBe(first.conversation.id);
    const forbidden = await kim.fail('CreateConversationCommand', { memberIds: [ids['max']!] });
    expect(forbidden.code).toBe('FORBIDDEN');
    expect((await kim.fail('CreateConversationCommand', { memberIds: [ids['kim']!] })).code).toBe('INVALID_PAYLOAD');
    const convs = await lee.call('GetConversationsCommand', {}, 'ConversationsResponse');
    expect(Object.keys(convs.conversations)).toEqual([first.conversation.id]);
    kim.close();
    lee.close();
  });

  it('titles a group by its members when no title is given', async () => {
    server.seeder.contacts([[ids['max']!, ids['ned']!], [ids['max']!, ids['kim']!]]);
    const { client: max } = await loginAs(server, 'max');
    const group = await max.call('CreateConversationCommand', { memberIds: [ids['ned']!, ids['kim']!] }, 'CreateConversationResponse');
    expect(group.conversation).toMatchObject({ kind: 'group', title: 'MAX, NED, KIM' });
    const sub = await max.call('SubscribeCommand', { resource: `messages:${group.conversation.id}` }, 'SubscribeResponse');
    expect(sub).toMatchObject({ resource: `messages:${group.conversation.id}`, version: 0 });
    max.close();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, Entry, Message } from '../../src/protocol/index';
import type { RunningServer } from '../app';
import { loginAs, seedUsers, sleep, startTestServer } from '../test/harness';
import type { Frame, ProtocolClient } from '../test/protocol-client';

/**
 * Rename, add, remove and leave (docs/PROTOCOL.md section 8) over real
 * sockets: who may, the entries and conversations entries everyone gets,
 * what a member added later may see, and what a removed member still gets.
 */
describe('group entries', () => {
  let server: RunningServer;
  let ids: Record<string, string>;
  const c: Record<string, ProtocolClient> = {};
  let n = 0;
  const cmid = (): string => `g-${++n}`;

  const newGroup = async (members: string[], owner = 'ann'): Promise<string> =>
    (await c[owner]!.call('CreateConversationCommand', { memberIds: members.map((m) => ids[m]!), title: 'Group' }, 'CreateConversationResponse')).conversation.id;
  const send = async (who: string, conversationId: string, body: string, replyTo?: string): Promise<Message> =>
    (await c[who]!.call('SendMessageCommand', { conversationId, clientMessageId: cmid(), body, ...(replyTo ? { replyTo } : {}) }, 'SendMessageResponse')).message;
  const add = (who: string, conversationId: string, members: string[]) =>
    c[who]!.call('AddMembersCommand', { conversationId, clientMessageId: cmid(), memberIds: members.map((m) => ids[m]!) }, 'AddMembersResponse');
  const remove = (who: string, conversationId: string, member: string) =>
    c[who]!.call('RemoveMemberCommand', { conversationId, clientMessageId: cmid(), memberId: ids[member]! }, 'RemoveMemberResponse');
  const entryOf = (conversationId: string, who: string): Conversation | undefined => server.storage.conversations.entryFor(conversationId, ids[who]!);
  const isNote = (resource: string, match: (p: { ids: string[]; items?: Record<string, unknown> }) => boolean) => (f: Frame) =>
    f.name === 'ResourceChangedNotification' && f.payload['resource'] === resource && match(f.payload as never);

  beforeAll(async () => {
    server = await startTestServer({ limits: { maxGroupMembers: 5 } });
    ids = await seedUsers(server, ['ann', 'ben', 'cat', 'dan', 'eve', 'fay', 'gus']);
    // fay is nobody's contact but eve's.
    server.db.prepare('DELETE FROM contacts WHERE user_id = ? OR contact_id = ?').run(ids['fay'], ids['fay']);
    server.seeder.contacts([[ids['eve']!, ids['fay']!]]);
    for (const name of ['ann', 'ben', 'cat', 'dan', 'eve']) c[name] = (await loginAs(server, name)).client;
  });
  afterAll(() => server.close());

  it('renames: any member, a title entry, every member told; the same title appends nothing; a direct conversation cannot', async () => {
    const g = await newGroup(['ben', 'cat']);
    await c['cat']!.call('SubscribeCommand', { resource: 'conversations' }, 'SubscribeResponse');
    const renamed = await c['ben']!.call('RenameConversationCommand', { conversationId: g, clientMessageId: cmid(), title: '  Trip  ' }, 'RenameConversationResponse');
    expect(renamed.entry).toMatchObject({ kind: 'title', title: 'Trip', seq: 1, senderId: ids['ben'] });
    const note = await c['cat']!.waitFor(isNote('conversations', (p) => p.ids.includes(g)));
    expect((note.payload['items'] as Record<string, Conversation>)[g]).toMatchObject({ title: 'Trip', latestSeq: 1 });
    const same = await c['cat']!.call('RenameConversationCommand', { conversationId: g, clientMessageId: cmid(), title: 'Trip' }, 'RenameConversationResponse');
    expect(same.entry).toBeNull();
    expect(entryOf(g, 'ann')!.latestSeq).toBe(1);
    const direct = (await c['ann']!.call('CreateConversationCommand', { memberIds: [ids['dan']!] }, 'CreateConversationResponse')).conversation.id;
    for (const [name, payload] of [
      ['RenameConversationCommand', { title: 'x' }],
      ['AddMembersCommand', { memberIds: [ids['ben']!] }],
      ['RemoveMemberCommand', { memberId: ids['dan']! }],
    ] as const) {
      expect(await c['ann']!.fail(name, { conversationId: direct, clientMessageId: cmid(), ...payload } as never)).toMatchObject({ code: 'INVALID_PAYLOAD', command: name });
    }
  });

  it('adds only the adder\'s contacts, with joinedSeq the entry\'s seq; adding people already in appends nothing; the size limit holds', async () => {
    const g = await newGroup(['ben', 'cat']);
    await send('ann', g, 'hello');
    expect(await c['eve']!.fail('AddMembersCommand', { conversationId: g, clientMessageId: cmid(), memberIds: [ids['fay']!] })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await c['ben']!.fail('AddMembersCommand', { conversationId: g, clientMessageId: cmid(), memberIds: [ids['fay']!] })).toMatchObject({ code: 'FORBIDDEN' });
    const added = await add('ben', g, ['dan', 'cat']);
    expect(added.entry).toMatchObject({ kind: 'members', added: [ids['dan']], removed: [], seq: 2, senderId: ids['ben'] });
    expect(entryOf(g, 'dan')).toMatchObject({ memberIds: expect.arrayContaining([ids['dan']]), members: { [ids['dan']!]: { joinedSeq: 2 } } });
    expect((await add('cat', g, ['dan', 'ann'])).entry).toBeNull();
    expect(entryOf(g, 'ann')!.latestSeq).toBe(2);
    // Five members at most (this server's limit), counted in the transaction: four now, two more is one too many.
    const full = await c['ann']!.fail('AddMembersCommand', { conversationId: g, clientMessageId: cmid(), memberIds: [ids['eve']!, ids['gus']!] });
    expect(full).toMatchObject({ code: 'INVALID_PAYLOAD', command: 'AddMembersCommand' });
    expect(full.message).toContain('at most 5');
    expect((await add('ann', g, ['eve'])).entry).toMatchObject({ added: [ids['eve']] });
    const bigger = await c['ann']!.fail('AddMembersCommand', { conversationId: g, clientMessageId: cmid(), memberIds: [ids['eve']!, ids['ben']!, ids['cat']!, ids['dan']!, ids['ann']!, 'u_x'] });
    expect(bigger.code).toBe('INVALID_PAYLOAD');
  });

  it('never serves a member added at J anything before J: pages, ids, replies, reactions on older messages, notifications', async () => {
    const g = await newGroup(['ben', 'cat']);
    const old = await send('ann', g, 'before dan');
    const added = await add('ann', g, ['dan']);
    const j = added.entry!.seq;
    const dan = c['dan']!;
    await dan.call('SubscribeCommand', { resource: `messages:${g}` }, 'SubscribeResponse');
    const reply = await send('ben', g, 'replying to the old one', old.id);
    // A reaction to the old message: dan may not see it (its target would show the message).
    const reaction = await c['cat']!.call('ReactCommand', { conversationId: g, clientMessageId: cmid(), targetId: old.id, emoji: '👍', on: true }, 'ReactResponse');
    const after = await send('ann', g, 'for everyone');
    const note = await dan.waitFor(isNote(`messages:${g}`, (p) => p.ids.includes(after.id)));
    expect(dan.queued(isNote(`messages:${g}`, (p) => p.ids.includes(reaction.entry!.id)))).toEqual([]);
    expect(note.payload['ids']).toEqual([after.id]);
    const page = (await dan.call('GetMessagesCommand', { conversationId: g, afterSeq: 0 }, 'MessagesResponse')).messages;
    expect(Object.values(page).map((e) => e.seq)).toEqual([j, reply.seq, after.seq]);
    expect(page[reply.id]).toMatchObject({ replyTo: old.id });
    const back = await dan.call('GetMessagesCommand', { conversationId: g, beforeSeq: reply.seq }, 'MessagesResponse');
    expect(Object.values(back.messages).map((e) => e.seq)).toEqual([j]);
    expect(back.hasMore).toBe(false);
    const byIds = await dan.call('GetMessagesCommand', { conversationId: g, ids: [old.id, reaction.entry!.id, reply.id] }, 'MessagesResponse');
    expect(Object.keys(byIds.messages)).toEqual([reply.id]);
    expect(JSON.stringify([page, byIds.messages, note.payload])).not.toContain('before dan');
    // Nor may dan reply to, react to or otherwise name it.
    expect(await dan.fail('SendMessageCommand', { conversationId: g, clientMessageId: cmid(), body: 'hm', replyTo: old.id })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await dan.fail('ReactCommand', { conversationId: g, clientMessageId: cmid(), targetId: old.id, emoji: '👍', on: true })).toMatchObject({ code: 'NOT_FOUND' });
    // The founders see it all.
    const annPage = (await c['ann']!.call('GetMessagesCommand', { conversationId: g, afterSeq: 0 }, 'MessagesResponse')).messages;
    expect(Object.keys(annPage)).toHaveLength(5);
  });

  it('lets the owner remove anyone and anyone leave, nobody else; the removed get the entry once, then FORBIDDEN for everything', async () => {
    const g = await newGroup(['ben', 'cat']);
    const ben = c['ben']!;
    await ben.call('SubscribeCommand', { resource: `messages:${g}` }, 'SubscribeResponse');
    await ben.call('SubscribeCommand', { resource: 'conversations' }, 'SubscribeResponse');
    await send('ann', g, 'hi');
    expect(await c['cat']!.fail('RemoveMemberCommand', { conversationId: g, clientMessageId: cmid(), memberId: ids['ben']! })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await c['cat']!.fail('RemoveMemberCommand', { conversationId: g, clientMessageId: cmid(), memberId: ids['dan']! })).toMatchObject({ code: 'NOT_FOUND' });
    const removed = await remove('ann', g, 'ben');
    expect(removed.entry).toMatchObject({ kind: 'members', added: [], removed: [ids['ben']] });
    const entryNote = await ben.waitFor(isNote(`messages:${g}`, (p) => p.ids.includes(removed.entry!.id)));
    expect((entryNote.payload['items'] as Record<string, Entry>)[removed.entry!.id]).toEqual(removed.entry);
    const listNote = await ben.waitFor(isNote('conversations', (p) => (p.items?.[g] as Conversation | undefined)?.latestSeq === removed.entry!.seq));
    const last = (listNote.payload['items'] as Record<string, Conversation>)[g]!;
    expect(last.memberIds).not.toContain(ids['ben']);
    expect(last.latestSeq).toBe(removed.entry!.seq);
    // From then on: nothing more on the old subscription, FORBIDDEN for everything.
    const afterBen = await send('ann', g, 'after ben');
    await sleep(150);
    expect(ben.queued(isNote(`messages:${g}`, (p) => p.ids.includes(afterBen.id)))).toEqual([]);
    expect(ben.queued(isNote('conversations', (p) => (p.items?.[g] as Conversation | undefined)?.latestSeq === afterBen.seq))).toEqual([]);
    expect(ben.ws.readyState).toBe(ben.ws.OPEN);
    for (const [name, payload] of [
      ['SendMessageCommand', { clientMessageId: cmid(), body: 'let me back' }],
      ['GetMessagesCommand', { afterSeq: 0 }],
      ['RenameConversationCommand', { clientMessageId: cmid(), title: 'mine' }],
      ['RemoveMemberCommand', { clientMessageId: cmid(), memberId: ids['cat']! }],
      ['AckMessagesCommand', { seq: 1 }],
    ] as const) {
      expect(await ben.fail(name, { conversationId: g, ...payload } as never)).toMatchObject({ code: 'FORBIDDEN', command: name });
    }
    expect(await ben.fail('SubscribeCommand', { resource: `messages:${g}` })).toMatchObject({ code: 'FORBIDDEN' });
    const list = await ben.call('GetConversationsCommand', {}, 'ConversationsResponse');
    expect(list.conversations[g]).toBeUndefined();
    // Leaving: anyone, themself.
    const left = await remove('cat', g, 'cat');
    expect(left.entry).toMatchObject({ removed: [ids['cat']] });
    expect(entryOf(g, 'ann')!.memberIds).toEqual([ids['ann']]);
  });

  it('hands the group to the longest-standing member when the owner leaves, and to nobody when the last one does', async () => {
    const g = await newGroup(['ben', 'cat']);
    await add('ann', g, ['dan']);
    await remove('ann', g, 'ann');
    // ben and cat are founders (joinedSeq 1), ben first in memberIds at creation; dan came later.
    expect(entryOf(g, 'ben')!.ownerId).toBe(ids['ben']);
    await remove('ben', g, 'ben');
    expect(entryOf(g, 'cat')!.ownerId).toBe(ids['cat']);
    // The new owner may remove others now.
    await remove('cat', g, 'dan');
    await remove('cat', g, 'cat');
    const inert = server.storage.conversations.get(g)!;
    expect(inert).toMatchObject({ ownerId: null, memberIds: [] });
  });

  it('takes a removed member back with a new joinedSeq, who then sees only from there', async () => {
    const g = await newGroup(['ben', 'cat']);
    await send('ben', g, 'ben was here');
    await remove('ann', g, 'ben');
    const secret = await send('ann', g, 'while ben was away');
    const back = await add('cat', g, ['ben']);
    expect(entryOf(g, 'ben')!.members[ids['ben']!]).toEqual({ joinedSeq: back.entry!.seq });
    const page = (await c['ben']!.call('GetMessagesCommand', { conversationId: g, afterSeq: 0 }, 'MessagesResponse')).messages;
    expect(Object.values(page).map((e) => e.seq)).toEqual([back.entry!.seq]);
    expect(secret.seq).toBeLessThan(back.entry!.seq);
  });

  it('refuses a send that was queued behind the batch removing its sender', async () => {
    const g = await newGroup(['ben', 'cat']);
    const [removed, sent] = await Promise.all([
      c['ann']!.request('RemoveMemberCommand', { conversationId: g, clientMessageId: cmid(), memberId: ids['ben']! }),
      (async () => {
        await sleep(0);
        return c['ben']!.request('SendMessageCommand', { conversationId: g, clientMessageId: cmid(), body: 'just in time?' });
      })(),
    ]);
    expect(removed.name).toBe('RemoveMemberResponse');
    // Either it made it before the removal (and is in the log before it), or it was refused: never after.
    if (sent.name === 'SendMessageResponse') expect((sent.payload['message'] as Message).seq).toBeLessThan((removed.payload['entry'] as Entry).seq);
    else expect(sent.payload).toMatchObject({ code: 'FORBIDDEN' });
  });
});

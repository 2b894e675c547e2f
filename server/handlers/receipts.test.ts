import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '../../src/protocol/index';
import type { RunningServer } from '../app';
import { loginAs, seedUsers, startTestServer } from '../test/harness';
import type { Frame, ProtocolClient } from '../test/protocol-client';

/**
 * Section 7a over real sockets: the `conversations` entry as each caller
 * sees it, the `receipts:<id>` resource, and who hears of a receipt. The
 * receipt interval is off here (every receipt notifies); fanout-bounds.test.ts
 * covers it.
 */
const settle = (c: ProtocolClient): Promise<Frame> => c.request('PingCommand', {});
const changed = (resource: string) => (f: Frame): boolean => f.name === 'ResourceChangedNotification' && f.payload['resource'] === resource;

describe('receipts without quadratic cost (section 7a)', () => {
  let server: RunningServer;
  let ids: Record<string, string>;
  const clients: ProtocolClient[] = [];
  const login = async (name: string): Promise<ProtocolClient> => {
    const { client } = await loginAs(server, name);
    clients.push(client);
    return client;
  };
  const entryOf = async (c: ProtocolClient, conv: string): Promise<Conversation> =>
    (await c.call('GetConversationsCommand', { ids: [conv] }, 'ConversationsResponse')).conversations[conv]!;
  const send = (c: ProtocolClient, conv: string, body: string) =>
    c.call('SendMessageCommand', { conversationId: conv, clientMessageId: `${body}-${Math.random()}`, body }, 'SendMessageResponse');

  beforeAll(async () => {
    server = await startTestServer({ receiptNoticeIntervalMs: 0, largeGroupNotifyIntervalMs: 0 });
    ids = await seedUsers(server, ['amy', 'bob', 'cat', 'dan', 'eve', 'out']);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server.close();
  });

  it('a direct entry: no owner, my positions, and the other member\'s as the summaries', async () => {
    const amy = await login('amy');
    const bob = await login('bob');
    const conv = (await amy.call('CreateConversationCommand', { memberIds: [ids['bob']!] }, 'CreateConversationResponse')).conversation.id;
    for (let i = 0; i < 3; i++) await send(amy, conv, `d${i}`);
    await bob.call('MarkReadCommand', { conversationId: conv, seq: 2 }, 'MarkReadResponse');
    await bob.call('AckMessagesCommand', { conversationId: conv, seq: 3 }, 'AckMessagesResponse');
    const mine = await entryOf(amy, conv);
    expect(mine).toMatchObject({ kind: 'direct', ownerId: null, latestSeq: 3, myDeliveredSeq: 0, myReadSeq: 0, deliveredToAllSeq: 3, readByAllSeq: 2 });
    expect(mine.members).toEqual({ [ids['amy']!]: { joinedSeq: 1 }, [ids['bob']!]: { joinedSeq: 1 } });
    const his = await entryOf(bob, conv);
    expect(his).toMatchObject({ myDeliveredSeq: 3, myReadSeq: 2, deliveredToAllSeq: 0, readByAllSeq: 0 });
  });

  it('a group entry: its creator owns it; the summaries are the lowest over the OTHER members, per caller', async () => {
    const amy = await login('amy');
    const bob = await login('bob');
    const cat = await login('cat');
    const created = await amy.call('CreateConversationCommand', { memberIds: [ids['bob']!, ids['cat']!, ids['dan']!], title: 'Four' }, 'CreateConversationResponse');
    const conv = created.conversation.id;
    expect(created.conversation).toMatchObject({ kind: 'group', ownerId: ids['amy'], myDeliveredSeq: 0, deliveredToAllSeq: 0, readByAllSeq: 0 });
    expect(Object.values(created.conversation.members)).toEqual([{ joinedSeq: 1 }, { joinedSeq: 1 }, { joinedSeq: 1 }, { joinedSeq: 1 }]);
    for (let i = 0; i < 4; i++) await send(amy, conv, `g${i}`);
    // bob read 4, cat read 2, dan delivered 1; amy (the sender) moved nothing.
    await bob.call('MarkReadCommand', { conversationId: conv, seq: 4 }, 'MarkReadResponse');
    await cat.call('MarkReadCommand', { conversationId: conv, seq: 2 }, 'MarkReadResponse');
    const dan = await login('dan');
    await dan.call('AckMessagesCommand', { conversationId: conv, seq: 1 }, 'AckMessagesResponse');
    expect(await entryOf(amy, conv)).toMatchObject({ ownerId: ids['amy'], myDeliveredSeq: 0, myReadSeq: 0, deliveredToAllSeq: 1, readByAllSeq: 0 });
    expect(await entryOf(bob, conv)).toMatchObject({ myDeliveredSeq: 4, myReadSeq: 4, deliveredToAllSeq: 0, readByAllSeq: 0 });
    // amy sends and reads her own: now dan alone holds the lowest of everyone but himself sees bob's and cat's and amy's.
    await amy.call('MarkReadCommand', { conversationId: conv, seq: 4 }, 'MarkReadResponse');
    expect(await entryOf(dan, conv)).toMatchObject({ myDeliveredSeq: 1, myReadSeq: 0, deliveredToAllSeq: 2, readByAllSeq: 2 });
    expect(await entryOf(cat, conv)).toMatchObject({ myDeliveredSeq: 2, myReadSeq: 2, deliveredToAllSeq: 1, readByAllSeq: 0 });
  });

  it('a member added later: joinedSeq as stored, and positions never below joinedSeq - 1', async () => {
    const amy = await login('amy');
    const conv = server.seeder.conversation({ memberIds: [ids['amy']!, ids['bob']!, ids['eve']!], kind: 'group' });
    server.seeder.messages(conv, Array.from({ length: 6 }, (_, i) => ({ senderId: ids['amy']!, body: `h${i}` })));
    // eve joined at seq 5 (as the membership commands store it): entries 1-4 are not hers to see or to hold anyone back.
    server.storage.db.prepare('UPDATE members SET joined_seq = 5 WHERE conversation_id = ? AND user_id = ?').run(conv, ids['eve']);
    server.storage.conversations.forgetCached(conv);
    const eve = await login('eve');
    expect(await entryOf(eve, conv)).toMatchObject({ latestSeq: 6, myDeliveredSeq: 4, myReadSeq: 4, members: { [ids['eve']!]: { joinedSeq: 5 }, [ids['amy']!]: { joinedSeq: 1 } } });
    const bob = await login('bob');
    await bob.call('MarkReadCommand', { conversationId: conv, seq: 3 }, 'MarkReadResponse');
    expect(await entryOf(amy, conv)).toMatchObject({ deliveredToAllSeq: 3, readByAllSeq: 3 });
    const receipts = await amy.call('GetReceiptsCommand', { conversationId: conv }, 'ReceiptsResponse');
    expect(receipts.members[ids['eve']!]).toEqual({ deliveredSeq: 4, readSeq: 4 });
    // An ack below the floor is answered with the floor, not with what was asked.
    expect((await eve.call('AckMessagesCommand', { conversationId: conv, seq: 2 }, 'AckMessagesResponse')).seq).toBe(4);
  });

  it('GetReceiptsCommand: every member\'s positions to a member; FORBIDDEN to others; NOT_FOUND for no such conversation', async () => {
    const amy = await login('amy');
    const bob = await login('bob');
    const outsider = await login('out');
    const conv = server.seeder.conversation({ memberIds: [ids['amy']!, ids['bob']!, ids['cat']!], kind: 'group' });
    server.seeder.messages(conv, [{ senderId: ids['amy']!, body: 'x' }, { senderId: ids['amy']!, body: 'y' }]);
    await bob.call('MarkReadCommand', { conversationId: conv, seq: 1 }, 'MarkReadResponse');
    await bob.call('AckMessagesCommand', { conversationId: conv, seq: 2 }, 'AckMessagesResponse');
    const reply = await amy.call('GetReceiptsCommand', { conversationId: conv }, 'ReceiptsResponse');
    expect(reply).toMatchObject({
      conversationId: conv,
      members: { [ids['amy']!]: { deliveredSeq: 0, readSeq: 0 }, [ids['bob']!]: { deliveredSeq: 2, readSeq: 1 }, [ids['cat']!]: { deliveredSeq: 0, readSeq: 0 } },
    });
    expect(Object.keys(reply.members)).toHaveLength(3);
    const refused = await outsider.fail('GetReceiptsCommand', { conversationId: conv });
    expect(refused).toMatchObject({ code: 'FORBIDDEN', command: 'GetReceiptsCommand' });
    expect((await outsider.fail('SubscribeCommand', { resource: `receipts:${conv}` })).code).toBe('FORBIDDEN');
    expect((await amy.fail('GetReceiptsCommand', { conversationId: 'c_nope' })).code).toBe('NOT_FOUND');
    expect((await amy.fail('SubscribeCommand', { resource: 'receipts:c_nope' })).code).toBe('NOT_FOUND');
  });

  it('receipts:<id> subscribers get only the members who moved; the version grows; unsubscribing ends it', async () => {
    const amy = await login('amy');
    const bob = await login('bob');
    const cat = await login('cat');
    const conv = server.seeder.conversation({ memberIds: [ids['amy']!, ids['bob']!, ids['cat']!, ids['dan']!], kind: 'group' });
    server.seeder.messages(conv, Array.from({ length: 5 }, (_, i) => ({ senderId: ids['dan']!, body: `r${i}` })));
    const sub = await amy.call('SubscribeCommand', { resource: `receipts:${conv}` }, 'SubscribeResponse');
    await bob.call('MarkReadCommand', { conversationId: conv, seq: 3 }, 'MarkReadResponse');
    const first = await amy.waitFor(changed(`receipts:${conv}`));
    expect(first.payload).toMatchObject({ ids: [ids['bob']], items: { [ids['bob']!]: { deliveredSeq: 3, readSeq: 3 } } });
    expect(Object.keys(first.payload['items'] as object)).toEqual([ids['bob']]);
    expect(first.payload['version']).toBeGreaterThan(sub.version);
    await cat.call('AckMessagesCommand', { conversationId: conv, seq: 5 }, 'AckMessagesResponse');
    const second = await amy.waitFor(changed(`receipts:${conv}`));
    expect(second.payload).toMatchObject({ ids: [ids['cat']], items: { [ids['cat']!]: { deliveredSeq: 5, readSeq: 0 } } });
    expect(second.payload['version']).toBeGreaterThan(first.payload['version'] as number);
    // A receipt that moves nothing notifies nothing.
    await cat.call('AckMessagesCommand', { conversationId: conv, seq: 4 }, 'AckMessagesResponse');
    await amy.call('UnsubscribeCommand', { resource: `receipts:${conv}` }, 'UnsubscribeResponse');
    await bob.call('MarkReadCommand', { conversationId: conv, seq: 5 }, 'MarkReadResponse');
    await settle(amy);
    expect(amy.queued(changed(`receipts:${conv}`))).toEqual([]);
  });

  it('a receipt changes the author\'s entry, and another member\'s only when the lowest of their others moved', async () => {
    const [amy, bob, cat, dan] = await Promise.all(['amy', 'bob', 'cat', 'dan'].map(login));
    const conv = server.seeder.conversation({ memberIds: [ids['amy']!, ids['bob']!, ids['cat']!, ids['dan']!], kind: 'group' });
    server.seeder.messages(conv, Array.from({ length: 4 }, (_, i) => ({ senderId: ids['amy']!, body: `s${i}` })));
    for (const c of [amy!, bob!, cat!, dan!]) await c.call('SubscribeCommand', { resource: 'conversations' }, 'SubscribeResponse');
    const bob2 = await login('bob');
    await bob2.call('SubscribeCommand', { resource: 'conversations' }, 'SubscribeResponse');
    const lists = (c: ProtocolClient): Frame[] => c.queued(changed('conversations'));
    const drain = async (): Promise<void> => {
      for (const c of [amy!, bob!, cat!, dan!, bob2]) {
        await settle(c);
        for (const f of lists(c)) await c.waitFor((g) => g === f);
      }
    };
    await drain();
    // bob reads 4: cat and dan still hold everyone's lowest at 0, so nobody's summaries moved: only bob's own sockets hear.
    await bob!.call('MarkReadCommand', { conversationId: conv, seq: 4 }, 'MarkReadResponse');
    await Promise.all([amy!, cat!, dan!, bob2].map(settle));
    expect(lists(amy!)).toEqual([]);
    expect(lists(cat!)).toEqual([]);
    expect(lists(dan!)).toEqual([]);
    const own = await bob2.waitFor(changed('conversations'));
    expect(own.payload['items']).toEqual({ [conv]: { id: conv, myDeliveredSeq: 4, myReadSeq: 4 } });
    await drain();
    // cat reads 4: dan is the lowest for amy, bob and cat; only dan's others (amy 0, bob 4, cat 4) keep 0 for him. Nobody moves.
    await cat!.call('MarkReadCommand', { conversationId: conv, seq: 4 }, 'MarkReadResponse');
    await Promise.all([amy!, bob!, dan!].map(settle));
    expect([lists(amy!), lists(bob!), lists(dan!)]).toEqual([[], [], []]);
    await drain();
    // dan reads 2: amy (at 0) is the lowest for bob and cat, so theirs stay 0; amy's others are now bob 4, cat 4, dan 2: amy's moves to 2.
    await dan!.call('MarkReadCommand', { conversationId: conv, seq: 2 }, 'MarkReadResponse');
    const amyPatch = await amy!.waitFor(changed('conversations'));
    expect(amyPatch.payload['items']).toEqual({ [conv]: { id: conv, deliveredToAllSeq: 2, readByAllSeq: 2 } });
    await Promise.all([bob!, cat!].map(settle));
    expect([lists(bob!), lists(cat!)]).toEqual([[], []]);
    const danOwn = await dan!.waitFor(changed('conversations'));
    expect(danOwn.payload['items']).toEqual({ [conv]: { id: conv, myDeliveredSeq: 2, myReadSeq: 2 } });
    // A patch and the full entry agree.
    expect(await entryOf(amy!, conv)).toMatchObject({ deliveredToAllSeq: 2, readByAllSeq: 2, myReadSeq: 0 });
  });

  it('a message moves every member\'s entry by a patch of latestSeq and updatedAt, never the member list', async () => {
    const [amy, bob] = await Promise.all(['amy', 'bob'].map(login));
    const conv = server.seeder.conversation({ memberIds: [ids['amy']!, ids['bob']!, ids['cat']!], kind: 'group' });
    await bob!.call('SubscribeCommand', { resource: 'conversations' }, 'SubscribeResponse');
    const ack = await send(amy!, conv, 'hello');
    const note = await bob!.waitFor(changed('conversations'));
    expect(note.payload['ids']).toEqual([conv]);
    expect(note.payload['items']).toEqual({ [conv]: { id: conv, latestSeq: 1, updatedAt: ack.message.sentAt } });
  });
});

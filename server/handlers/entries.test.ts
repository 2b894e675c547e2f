import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Entry, Message } from '../../src/protocol/index';
import type { RunningServer } from '../app';
import { loginAs, seedUsers, startTestServer } from '../test/harness';
import type { ProtocolClient } from '../test/protocol-client';

/**
 * Edits, deletions, reactions and replies (docs/PROTOCOL.md sections 7 and
 * 8) over real sockets: who may do what, the errors, what the other members
 * are sent, and how the message is served afterwards (as it is now).
 */
describe('entries that change a message', () => {
  let server: RunningServer;
  let ids: Record<string, string>;
  let ann: ProtocolClient;
  let ben: ProtocolClient;
  let group: string;
  let other: string;
  let n = 0;
  const cmid = (): string => `cm-${++n}`;

  const send = async (client: ProtocolClient, body: string, conversationId = group, replyTo?: string): Promise<Message> =>
    (await client.call('SendMessageCommand', { conversationId, clientMessageId: cmid(), body, ...(replyTo ? { replyTo } : {}) }, 'SendMessageResponse')).message;
  const page = async (client: ProtocolClient, conversationId = group): Promise<Record<string, Entry>> =>
    (await client.call('GetMessagesCommand', { conversationId, afterSeq: 0, limit: 500 }, 'MessagesResponse')).messages;
  const latest = (conversationId = group): number => server.storage.conversations.latestSeq(conversationId)!;

  beforeAll(async () => {
    server = await startTestServer();
    ids = await seedUsers(server, ['ann', 'ben', 'cat']);
    ({ client: ann } = await loginAs(server, 'ann'));
    ({ client: ben } = await loginAs(server, 'ben'));
    group = (await ann.call('CreateConversationCommand', { memberIds: [ids['ben']!, ids['cat']!], title: 'G' }, 'CreateConversationResponse')).conversation.id;
    other = (await ann.call('CreateConversationCommand', { memberIds: [ids['ben']!] }, 'CreateConversationResponse')).conversation.id;
    await ben.call('SubscribeCommand', { resource: `messages:${group}` }, 'SubscribeResponse');
  });
  afterAll(() => server.close());

  it('serves a new message as a v2 entry: kind, no reply, no attachments or reactions, revision = seq', async () => {
    const m = await send(ann, 'first');
    expect(m).toMatchObject({ kind: 'message', body: 'first', replyTo: null, attachments: [], reactions: {}, editedAt: null, deletedAt: null, revision: m.seq });
  });

  it('lets the sender edit: the entry carries the message as it is now, subscribers get it, pages serve the new text', async () => {
    const m = await send(ann, 'tpyo');
    const edit = await ann.call('EditMessageCommand', { conversationId: group, clientMessageId: cmid(), targetId: m.id, body: '  typo  ' }, 'EditMessageResponse');
    expect(edit.duplicate).toBe(false);
    expect(edit.entry).toMatchObject({ kind: 'edit', seq: m.seq + 1, targetId: m.id, target: { id: m.id, body: 'typo', revision: m.seq + 1 } });
    const target = (edit.entry as Extract<Entry, { kind: 'edit' }>).target;
    expect(target.editedAt).toBeGreaterThan(0);
    const note = (await ben.waitFor((f) => f.name === 'ResourceChangedNotification' && (f.payload as { ids: string[] }).ids.includes(edit.entry!.id))).payload;
    expect(note).toMatchObject({ resource: `messages:${group}`, version: m.seq + 1, ids: [edit.entry!.id] });
    expect((note['items'] as Record<string, unknown>)[edit.entry!.id]).toEqual(edit.entry);
    const entries = await page(ben);
    expect(entries[m.id]).toMatchObject({ body: 'typo', revision: m.seq + 1 });
    expect(entries[edit.entry!.id]).toMatchObject({ kind: 'edit', target: { body: 'typo' } });
  });

  it('refuses an edit or a deletion by anyone but the sender (FORBIDDEN) and a target of another conversation or none (NOT_FOUND)', async () => {
    const m = await send(ann, 'mine');
    const before = latest();
    expect(await ben.fail('EditMessageCommand', { conversationId: group, clientMessageId: cmid(), targetId: m.id, body: 'x' })).toMatchObject({ code: 'FORBIDDEN', command: 'EditMessageCommand' });
    expect(await ben.fail('DeleteMessageCommand', { conversationId: group, clientMessageId: cmid(), targetId: m.id })).toMatchObject({ code: 'FORBIDDEN' });
    const elsewhere = await send(ann, 'in the direct one', other);
    const foreign = await ann.fail('EditMessageCommand', { conversationId: group, clientMessageId: cmid(), targetId: elsewhere.id, body: 'x' });
    expect(foreign).toMatchObject({ code: 'NOT_FOUND' });
    expect(foreign.message).toContain(elsewhere.id);
    expect(await ann.fail('ReactCommand', { conversationId: group, clientMessageId: cmid(), targetId: 'm_nothing', emoji: '👍', on: true })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await ann.fail('SendMessageCommand', { conversationId: group, clientMessageId: cmid(), body: 're', replyTo: elsewhere.id })).toMatchObject({ code: 'NOT_FOUND' });
    // An entry that is not a message is no target either.
    const edit = await ann.call('EditMessageCommand', { conversationId: group, clientMessageId: cmid(), targetId: m.id, body: 'mine!' }, 'EditMessageResponse');
    expect(await ann.fail('EditMessageCommand', { conversationId: group, clientMessageId: cmid(), targetId: edit.entry!.id, body: 'x' })).toMatchObject({ code: 'NOT_FOUND' });
    // Refusals take no seq: only the one edit was appended.
    expect(latest()).toBe(before + 1);
  });

  it('deletes for everyone: body and reactions erased in the database, the old text nowhere in any entry, then GONE', async () => {
    const m = await send(ann, 'secret plans');
    await ben.call('ReactCommand', { conversationId: group, clientMessageId: cmid(), targetId: m.id, emoji: '👍', on: true }, 'ReactResponse');
    const edit = await ann.call('EditMessageCommand', { conversationId: group, clientMessageId: cmid(), targetId: m.id, body: 'secret plans v2' }, 'EditMessageResponse');
    const del = await ann.call('DeleteMessageCommand', { conversationId: group, clientMessageId: cmid(), targetId: m.id }, 'DeleteMessageResponse');
    expect(del.entry).toMatchObject({ kind: 'delete', targetId: m.id, target: { body: '', reactions: {}, attachments: [], revision: del.entry!.seq } });
    expect((del.entry as Extract<Entry, { kind: 'delete' }>).target.deletedAt).toBeGreaterThan(0);
    const row = server.db.prepare('SELECT body, reactions, deleted_at FROM messages WHERE id = ?').get(m.id) as { body: string; reactions: string | null; deleted_at: number };
    expect(row).toMatchObject({ body: '', reactions: null });
    expect(server.db.prepare("SELECT COUNT(*) FROM messages WHERE body LIKE '%secret%' OR detail LIKE '%secret%'").pluck().get()).toBe(0);
    // Every entry about it, the old edit included, serves it as it is now.
    const entries = await page(ann);
    expect(JSON.stringify(entries)).not.toContain('secret');
    expect(entries[edit.entry!.id]).toMatchObject({ target: { body: '', deletedAt: expect.any(Number) } });
    const byIds = await ann.call('GetMessagesCommand', { conversationId: group, ids: [m.id, edit.entry!.id] }, 'MessagesResponse');
    expect(Object.keys(byIds.messages).sort()).toEqual([m.id, edit.entry!.id].sort());
    expect(JSON.stringify(byIds.messages)).not.toContain('secret');
    // Gone: no second deletion, no edit, no reaction; a reply to it is allowed.
    for (const [name, payload] of [
      ['DeleteMessageCommand', { targetId: m.id }],
      ['EditMessageCommand', { targetId: m.id, body: 'again' }],
      ['ReactCommand', { targetId: m.id, emoji: '😀', on: true }],
    ] as const) {
      expect(await ann.fail(name, { conversationId: group, clientMessageId: cmid(), ...payload } as never)).toMatchObject({ code: 'GONE', command: name });
    }
    const reply = await send(ben, 'what did it say?', group, m.id);
    expect(reply.replyTo).toBe(m.id);
  });

  it('toggles reactions: an entry when it changes something, entry null with the current target and no seq when it does not', async () => {
    const m = await send(ann, 'react to me');
    const on = await ben.call('ReactCommand', { conversationId: group, clientMessageId: cmid(), targetId: m.id, emoji: '🎉', on: true }, 'ReactResponse');
    expect(on.entry).toMatchObject({ kind: 'reaction', emoji: '🎉', on: true, target: { reactions: { '🎉': [ids['ben']] }, revision: on.entry!.seq } });
    expect(on.target).toEqual((on.entry as Extract<Entry, { kind: 'reaction' }>).target);
    await ann.call('ReactCommand', { conversationId: group, clientMessageId: cmid(), targetId: m.id, emoji: '🎉', on: true }, 'ReactResponse');
    const seq = latest();
    const again = await ben.call('ReactCommand', { conversationId: group, clientMessageId: cmid(), targetId: m.id, emoji: '🎉', on: true }, 'ReactResponse');
    expect(again).toMatchObject({ entry: null, duplicate: false, target: { reactions: { '🎉': [ids['ben'], ids['ann']] } } });
    const offNobody = await ben.call('ReactCommand', { conversationId: group, clientMessageId: cmid(), targetId: m.id, emoji: '👀', on: false }, 'ReactResponse');
    expect(offNobody.entry).toBeNull();
    expect(latest()).toBe(seq);
    await ben.call('ReactCommand', { conversationId: group, clientMessageId: cmid(), targetId: m.id, emoji: '🎉', on: false }, 'ReactResponse');
    const last = await ann.call('ReactCommand', { conversationId: group, clientMessageId: cmid(), targetId: m.id, emoji: '🎉', on: false }, 'ReactResponse');
    // An emoji nobody uses any more leaves `reactions`.
    expect(last.target.reactions).toEqual({});
    expect(server.db.prepare('SELECT reactions FROM messages WHERE id = ?').pluck().get(m.id)).toBeNull();
  });

  it('takes at most 20 different emoji on one message: the 21st is INVALID_PAYLOAD, a 20th one again is fine', async () => {
    const m = await send(ann, 'many emoji');
    const emoji = [...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙😚🙂🤗🤩'];
    for (const e of emoji.slice(0, 20)) await ann.call('ReactCommand', { conversationId: group, clientMessageId: cmid(), targetId: m.id, emoji: e, on: true }, 'ReactResponse');
    const refused = await ben.fail('ReactCommand', { conversationId: group, clientMessageId: cmid(), targetId: m.id, emoji: emoji[20]!, on: true });
    expect(refused.code).toBe('INVALID_PAYLOAD');
    expect(refused.message).toContain('20');
    const same = await ben.call('ReactCommand', { conversationId: group, clientMessageId: cmid(), targetId: m.id, emoji: emoji[0]!, on: true }, 'ReactResponse');
    expect(Object.keys(same.target.reactions)).toHaveLength(20);
    expect(same.target.reactions[emoji[0]!]).toEqual([ids['ann'], ids['ben']]);
    // Text is no emoji (the schema), named in the sentence.
    expect(await ben.fail('ReactCommand', { conversationId: group, clientMessageId: cmid(), targetId: m.id, emoji: 'ok', on: true })).toMatchObject({ code: 'INVALID_PAYLOAD' });
  });

  it('checks the rules in the transaction: a deletion and an edit of one message in the same batch leave the edit GONE', async () => {
    const m = await send(ann, 'race');
    const [del, edit] = await Promise.all([
      ann.request('DeleteMessageCommand', { conversationId: group, clientMessageId: cmid(), targetId: m.id }),
      ann.request('EditMessageCommand', { conversationId: group, clientMessageId: cmid(), targetId: m.id, body: 'too late' }),
    ]);
    expect(del.name).toBe('DeleteMessageResponse');
    expect(edit).toMatchObject({ name: 'ErrorResponse', payload: { code: 'GONE', command: 'EditMessageCommand' } });
    expect(server.db.prepare('SELECT body FROM messages WHERE id = ?').pluck().get(m.id)).toBe('');
  });

  it('answers a message and its edit in one batch with the message as it is after the batch', async () => {
    // The edit cannot name a message the client has no id for, so the second socket edits an earlier one while the first sends.
    const m = await send(ann, 'before');
    const [edit, sent] = await Promise.all([
      ann.call('EditMessageCommand', { conversationId: group, clientMessageId: cmid(), targetId: m.id, body: 'after' }, 'EditMessageResponse'),
      ann.call('SendMessageCommand', { conversationId: group, clientMessageId: cmid(), body: 'next' }, 'SendMessageResponse'),
    ]);
    expect([edit.entry!.seq, sent.message.seq].sort((a, b) => a - b)).toEqual([m.seq + 1, m.seq + 2]);
  });

  it('refuses attachments for now: there is no upload an id could name (NOT_FOUND)', async () => {
    const refused = await ann.fail('SendMessageCommand', { conversationId: group, clientMessageId: cmid(), body: 'file', attachments: ['a_1'] });
    expect(refused).toMatchObject({ code: 'NOT_FOUND' });
    expect(refused.message).toContain('a_1');
  });

  it('serves ids: at most 100, only this conversation, refused beside afterSeq', async () => {
    const a = await send(ann, 'one');
    const b = await send(ann, 'two');
    const elsewhere = await send(ann, 'other', other);
    const got = await ben.call('GetMessagesCommand', { conversationId: group, ids: [b.id, a.id, elsewhere.id, 'm_none', a.id] }, 'MessagesResponse');
    expect(Object.keys(got.messages).sort()).toEqual([a.id, b.id].sort());
    expect(got).toMatchObject({ conversationId: group, latestSeq: latest(), hasMore: false });
    const tooMany = await ben.fail('GetMessagesCommand', { conversationId: group, ids: Array.from({ length: 101 }, (_, i) => `m_${i}`) });
    expect(tooMany.code).toBe('INVALID_PAYLOAD');
    expect((await ben.fail('GetMessagesCommand', { conversationId: group, ids: [a.id], afterSeq: 1 })).code).toBe('INVALID_PAYLOAD');
  });
});

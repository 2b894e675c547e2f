import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../app';
import type { Frame, ProtocolClient } from '../test/protocol-client';
import { loginAs, seedUsers, sleep, startTestServer } from '../test/harness';

describe('messages, receipts, typing and authorization', () => {
  let server: RunningServer;
  let ids: Record<string, string>;
  let ann: ProtocolClient;
  let ben: ProtocolClient;
  let out: ProtocolClient;
  let conv: string;

  beforeAll(async () => {
    server = await startTestServer();
    ids = await seedUsers(server, ['ann', 'ben', 'outsider', 'p1', 'p2', 'p3', 'p4', 'p5']);
    ({ client: ann } = await loginAs(server, 'ann'));
    ({ client: ben } = await loginAs(server, 'ben'));
    ({ client: out } = await loginAs(server, 'outsider'));
    const created = await ann.call('CreateConversationCommand', { memberIds: [ids['ben']!] }, 'CreateConversationResponse');
    conv = created.conversation.id;
  });
  afterAll(() => server.close());

  it('acknowledges a send with seq 1 and pushes it inline to subscribers', async () => {
    const sub = await ben.call('SubscribeCommand', { resource: `messages:${conv}` }, 'SubscribeResponse');
    expect(sub.version).toBe(0);
    await ben.call('SubscribeCommand', { resource: 'conversations' }, 'SubscribeResponse');
    const sent = await ann.call('SendMessageCommand', { conversationId: conv, clientMessageId: 'cm-1', body: '  hello ben  ' }, 'SendMessageResponse');
    expect(sent).toMatchObject({ clientMessageId: 'cm-1', duplicate: false, message: { seq: 1, body: 'hello ben', senderId: ids['ann'] } });
    const note = await ben.next('ResourceChangedNotification');
    expect(note).toMatchObject({ resource: `messages:${conv}`, version: 1, ids: [sent.message.id] });
    expect(note.items?.[sent.message.id]).toEqual(sent.message);
    const convNote = await ben.next('ResourceChangedNotification');
    expect(convNote).toMatchObject({ resource: 'conversations', ids: [conv] });
    expect(convNote.items?.[conv]).toMatchObject({ latestSeq: 1 });
  });

  it('stores a resend of the same clientMessageId once, from any socket', async () => {
    const { client: ann2 } = await loginAs(server, 'ann');
    const [a, b] = await Promise.all([
      ann.call('SendMessageCommand', { conversationId: conv, clientMessageId: 'cm-dup', body: 'once' }, 'SendMessageResponse'),
      ann2.call('SendMessageCommand', { conversationId: conv, clientMessageId: 'cm-dup', body: 'once' }, 'SendMessageResponse'),
    ]);
    expect([a.duplicate, b.duplicate].sort()).toEqual([false, true]);
    expect(a.message).toEqual(b.message);
    const later = await ann2.call('SendMessageCommand', { conversationId: conv, clientMessageId: 'cm-dup', body: 'once' }, 'SendMessageResponse');
    expect(later).toMatchObject({ duplicate: true, message: a.message });
    const count = server.db.prepare("SELECT COUNT(*) FROM messages WHERE client_message_id = 'cm-dup'").pluck().get();
    expect(count).toBe(1);
    ann2.close();
  });

  it('coalesces: sends committed in one batch give each subscribed socket ONE conversations notification', async () => {
    const { client: ben2 } = await loginAs(server, 'ben');
    await ben2.call('SubscribeCommand', { resource: 'conversations' }, 'SubscribeResponse');
    await ben2.call('SubscribeCommand', { resource: `messages:${conv}` }, 'SubscribeResponse');
    const batchesBefore = await commitBatches(server);
    const acks = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        ann.call('SendMessageCommand', { conversationId: conv, clientMessageId: `burst-${i}`, body: `burst ${i}` }, 'SendMessageResponse'),
      ),
    );
    const latest = Math.max(...acks.map((a) => a.message.seq));
    await sleep(50); // the batch metric is observed when the batch's notifications go out, a turn after its acks
    const batches = (await commitBatches(server)) - batchesBefore;
    // Every batch ends in one conversations notification at each subscribed socket; the last one carries latestSeq.
    const notes: Frame[] = [];
    for (let i = 0; i < batches; i++) notes.push(await ben2.waitFor(isConversationsNote));
    expect(notes.map((n) => (n.payload['ids'] as string[]).join())).toEqual(Array(batches).fill(conv));
    expect((notes.at(-1)!.payload['items'] as Record<string, { latestSeq: number }>)[conv]!.latestSeq).toBe(latest);
    await expect(ben2.waitFor(isConversationsNote, 150)).rejects.toThrow();
    // 20 frames written at once arrive in one or a few reads, so in far fewer batches than sends.
    expect(batches).toBeLessThan(20);
    ben2.close();
  });

  it('answers a resend to a conversation the sender is not in with the original (the pair identifies the message)', async () => {
    const first = await ann.call('SendMessageCommand', { conversationId: conv, clientMessageId: 'cm-moved', body: 'first' }, 'SendMessageResponse');
    const elsewhere = await out.call('CreateConversationCommand', { memberIds: [ids['p1']!] }, 'CreateConversationResponse');
    const resend = await ann.call(
      'SendMessageCommand',
      { conversationId: elsewhere.conversation.id, clientMessageId: 'cm-moved', body: 'first' },
      'SendMessageResponse',
    );
    expect(resend).toMatchObject({ clientMessageId: 'cm-moved', duplicate: true, message: first.message });
    const fresh = await ann.fail('SendMessageCommand', { conversationId: elsewhere.conversation.id, clientMessageId: 'cm-new', body: 'no' });
    expect(fresh.code).toBe('FORBIDDEN');
  });

  it('assigns gap-free seqs to 5 concurrent senders x 100 sends', async () => {
    const names = ['p1', 'p2', 'p3', 'p4', 'p5'];
    const clients = await Promise.all(names.map(async (n) => (await loginAs(server, n)).client));
    const group = await clients[0]!.call(
      'CreateConversationCommand',
      { memberIds: names.slice(1).map((n) => ids[n]!), title: 'load' },
      'CreateConversationResponse',
    );
    expect(group.conversation).toMatchObject({ kind: 'group', title: 'load' });
    const cid = group.conversation.id;
    const replies = await Promise.all(
      clients.flatMap((c, ci) =>
        Array.from({ length: 100 }, (_, i) =>
          c.call('SendMessageCommand', { conversationId: cid, clientMessageId: `p${ci}-${i}`, body: `m ${i}` }, 'SendMessageResponse'),
        ),
      ),
    );
    const seqs = replies.map((r) => r.message.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    // Group commit: far fewer transactions than messages.
    const batches = (await server.metrics.commitBatchSize.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
    expect(batches).toBeLessThan(500);

    const page1 = await clients[0]!.call('GetMessagesCommand', { conversationId: cid, limit: 200 }, 'MessagesResponse');
    expect(Object.values(page1.messages).map((m) => m.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(page1).toMatchObject({ latestSeq: 500, hasMore: true });
    const tail = await clients[0]!.call('GetMessagesCommand', { conversationId: cid, afterSeq: 450 }, 'MessagesResponse');
    expect(Object.values(tail.messages).map((m) => m.seq)[0]).toBe(451);
    expect(Object.keys(tail.messages)).toHaveLength(50);
    expect(tail.hasMore).toBe(false);
    const back = await clients[0]!.call('GetMessagesCommand', { conversationId: cid, beforeSeq: 101, limit: 30 }, 'MessagesResponse');
    expect(Object.values(back.messages).map((m) => m.seq)).toEqual(Array.from({ length: 30 }, (_, i) => 71 + i));
    expect(back.hasMore).toBe(true);
    const first = await clients[0]!.call('GetMessagesCommand', { conversationId: cid, beforeSeq: 11 }, 'MessagesResponse');
    expect(Object.keys(first.messages)).toHaveLength(10);
    expect(first.hasMore).toBe(false);
    const range = await clients[0]!.call('GetMessagesCommand', { conversationId: cid, afterSeq: 10, beforeSeq: 20, limit: 5 }, 'MessagesResponse');
    expect(Object.values(range.messages).map((m) => m.seq)).toEqual([11, 12, 13, 14, 15]);
    expect(range.hasMore).toBe(true);
    const tooBig = await clients[0]!.fail('GetMessagesCommand', { conversationId: cid, limit: 501 });
    expect(tooBig.code).toBe('INVALID_PAYLOAD');
    expect(tooBig.message).toContain('limit');
    for (const c of clients) c.close();
  });

  it('moves delivered and read positions forward only; read implies delivered', async () => {
    await ann.call('SubscribeCommand', { resource: 'conversations' }, 'SubscribeResponse');
    const ack = await ben.call('AckMessagesCommand', { conversationId: conv, seq: 1 }, 'AckMessagesResponse');
    expect(ack).toMatchObject({ conversationId: conv, seq: 1 });
    // Ann's entry moved only in what she sees of the others (section 7a): a patch of the summaries.
    const note = await ann.waitFor((f) => f.name === 'ResourceChangedNotification' && f.payload['resource'] === 'conversations');
    expect((note.payload['items'] as Record<string, unknown>)[conv]).toEqual({ id: conv, deliveredToAllSeq: 1, readByAllSeq: 0 });
    const read = await ben.call('MarkReadCommand', { conversationId: conv, seq: 2 }, 'MarkReadResponse');
    expect(read.seq).toBe(2);
    const back = await ben.call('AckMessagesCommand', { conversationId: conv, seq: 0 }, 'AckMessagesResponse');
    expect(back.seq).toBe(2);
    const convs = await ben.call('GetConversationsCommand', { ids: [conv] }, 'ConversationsResponse');
    expect(convs.conversations[conv]).toMatchObject({ myDeliveredSeq: 2, myReadSeq: 2, deliveredToAllSeq: 0, readByAllSeq: 0 });
  });

  it('relays typing to other members subscribed to the conversation, not to the typist', async () => {
    await ann.call('SubscribeCommand', { resource: `messages:${conv}` }, 'SubscribeResponse');
    ben.send('TypingCommand', { conversationId: conv, typing: true });
    expect(await ann.next('TypingNotification')).toEqual({ conversationId: conv, userId: ids['ben'], typing: true });
    expect(await ben.receives('TypingNotification', 150)).toBe(false);
  });

  it('refuses an outsider everything about the conversation with FORBIDDEN, and unknown ids with NOT_FOUND', async () => {
    const refusals = await Promise.all([
      out.fail('SubscribeCommand', { resource: `messages:${conv}` }),
      out.fail('GetMessagesCommand', { conversationId: conv }),
      out.fail('SendMessageCommand', { conversationId: conv, clientMessageId: 'x-1', body: 'let me in' }),
      out.fail('AckMessagesCommand', { conversationId: conv, seq: 1 }),
      out.fail('MarkReadCommand', { conversationId: conv, seq: 1 }),
      out.fail('TypingCommand', { conversationId: conv, typing: true }),
    ]);
    expect(refusals.map((r) => r.code)).toEqual(Array(6).fill('FORBIDDEN'));
    const listed = await out.call('GetConversationsCommand', { ids: [conv] }, 'ConversationsResponse');
    expect(listed.conversations).toEqual({});
    expect((await out.fail('GetMessagesCommand', { conversationId: 'c_nope' })).code).toBe('NOT_FOUND');
    expect((await out.fail('SubscribeCommand', { resource: 'messages:c_nope' })).code).toBe('NOT_FOUND');
    expect((await out.fail('SubscribeCommand', { resource: 'nonsense' })).code).toBe('NOT_FOUND');
  });

  it('validates bodies: empty after trimming and over 4000 code points are INVALID_PAYLOAD naming body', async () => {
    const empty = await ann.fail('SendMessageCommand', { conversationId: conv, clientMessageId: 'e-1', body: '   ' });
    expect(empty).toMatchObject({ code: 'INVALID_PAYLOAD', command: 'SendMessageCommand' });
    expect(empty.message).toContain('body');
    const long = await ann.fail('SendMessageCommand', { conversationId: conv, clientMessageId: 'e-2', body: 'x'.repeat(4001) });
    expect(long.message).toContain('body');
    const emoji = await ann.call('SendMessageCommand', { conversationId: conv, clientMessageId: 'e-3', body: '😀'.repeat(4000) }, 'SendMessageResponse');
    expect(emoji.duplicate).toBe(false);
  });
});

async function commitBatches(server: RunningServer): Promise<number> {
  return (await server.metrics.commitBatchSize.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
}

function isConversationsNote(f: Frame): boolean {
  return f.name === 'ResourceChangedNotification' && f.payload['resource'] === 'conversations';
}

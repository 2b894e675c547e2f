import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeWebSocket } from '../communicator/testing/fake-web-socket';
import type { ClientCore } from '../core/create-client-core';
import type { DecodedFrame, Message } from '../protocol';
import type { FakeServer } from './testing/fake-server';
import { buildCore, sentBy, settle, startFakeWorld, endFakeWorld } from './testing/core-harness';
import { wireMessage } from '../store/testing/entries';

/**
 * A hostile (or broken) server's reply to a genuine request: the client asked
 * for a conversation's messages or for its conversations, and the answer is
 * well-formed but lies. Whatever it says, the local store must keep one
 * message per seq, one seq per message, only its own conversations'
 * messages, only conversations the user is in, and every outbox entry.
 */
let server: FakeServer;
let core: ClientCore;
/** Replaces the fake server's answer to a command, once; null lets the server answer. */
let tamper: ((frame: DecodedFrame, socket: FakeWebSocket) => boolean) | null = null;

beforeEach(async () => {
  server = startFakeWorld();
  server.addUser('u3', 'carol');
  server.addConversation('c2', ['u1', 'u3']);
  server.addConversation('c_foreign', ['u2', 'u3']);
  const honest = FakeWebSocket.responder!;
  FakeWebSocket.responder = (frame, socket) => {
    if (tamper?.(frame, socket)) return;
    honest(frame, socket);
  };
  core = buildCore();
  void core.start();
  await settle(1);
  server.acceptAll();
  await settle(1);
  core.session.login({ username: 'alice', password: 'tidings-alice', publicComputer: false });
  await settle();
});
afterEach(async () => {
  tamper = null;
  await core.stop();
  endFakeWorld();
});

const msg = (conversationId: string, seq: number, id = `m-${conversationId}-${seq}`, body = `body ${seq}`): Message => wireMessage({ id, conversationId, seq, senderId: 'u2', clientMessageId: `h-${id}-${seq}`, body, sentAt: 1000 + seq });

/** Answers the next GetMessagesCommand with these messages (as a reply to that very request). */
function answerNextGetMessages(messages: Message[], latestSeq: number, hasMore = false): void {
  tamper = (frame, socket) => {
    if (frame.name !== 'GetMessagesCommand') return false;
    tamper = null;
    queueMicrotask(() =>
      socket.receive('MessagesResponse', { requestId: frame.payload['requestId'], conversationId: frame.payload['conversationId'], messages: Object.fromEntries(messages.map((m) => [m.id, m])), latestSeq, hasMore }),
    );
    return true;
  };
}

/** The store's invariants: every stored message of a conversation at its own seq, one per seq, the seq index agreeing with the table. */
function expectConsistent(conversationId: string): void {
  const stored = core.store.findAll('messages').filter((m) => m.conversationId === conversationId);
  const seqs = stored.map((m) => m.seq);
  expect(new Set(seqs).size).toBe(seqs.length);
  for (const m of stored) expect(core.store.messageAt(conversationId, m.seq)?.id).toBe(m.id);
  expect(core.store.messagesOf(conversationId).map((m) => m.id).sort()).toEqual(stored.map((m) => m.id).sort());
}

/** Makes the client catch c1 up: the server moved on without inline items. */
async function notifyC1(version: number): Promise<void> {
  server.connections[0]!.socket.receive('ResourceChangedNotification', { resource: 'messages:c1', version, ids: [] });
  await settle();
}

describe('hostile replies to a genuine GetMessagesCommand', () => {
  it('keeps one message per seq: a page with two messages at one seq stores the first', async () => {
    answerNextGetMessages([msg('c1', 1), msg('c1', 2), msg('c1', 2, 'm-dup', 'an impostor at seq 2'), msg('c1', 3)], 3);
    await notifyC1(3);
    expectConsistent('c1');
    expect(core.store.find('messages', 'm-dup')).toBeUndefined();
    expect(core.store.messageAt('c1', 2)?.id).toBe('m-c1-2');
    expect(core.store.syncPosition('c1').syncedSeq).toBe(3);
  });

  it('keeps a stored message at its seq: a later page cannot move it (a gap behind the sync position would never be refilled)', async () => {
    answerNextGetMessages([msg('c1', 1), msg('c1', 2)], 2);
    await notifyC1(2);
    expect(core.store.syncPosition('c1').syncedSeq).toBe(2);
    // The next page reuses m-c1-1 at seq 3, and puts a new id at the stored seq 2.
    answerNextGetMessages([msg('c1', 3, 'm-c1-1', 'moved'), msg('c1', 2, 'm-other', 'replaced'), msg('c1', 4)], 4);
    await notifyC1(4);
    expectConsistent('c1');
    expect(core.store.find('messages', 'm-c1-1')).toMatchObject({ seq: 1, body: 'body 1' });
    expect(core.store.messageAt('c1', 2)?.id).toBe('m-c1-2');
    expect(core.store.find('messages', 'm-other')).toBeUndefined();
    // Seq 3 is still missing (its only candidate was a lie), so the sync position stops at 2.
    expect(core.store.messageAt('c1', 3)).toBeUndefined();
    expect(core.store.syncPosition('c1').syncedSeq).toBe(2);
  });

  it("stores no message outside the page asked for, and none of another conversation (not even one of the user's own)", async () => {
    answerNextGetMessages([msg('c1', 1), msg('c1', 2), msg('c1', 900_000), msg('c2', 1, 'm-wrong-conv'), msg('c_foreign', 1, 'm-foreign')], 2);
    await notifyC1(2);
    expectConsistent('c1');
    expect(core.store.messageAt('c1', 900_000)).toBeUndefined();
    expect(core.store.find('messages', 'm-wrong-conv')).toBeUndefined();
    expect(core.store.find('messages', 'm-foreign')).toBeUndefined();
    expect(core.store.findAll('messages').map((m) => m.id).sort()).toEqual(['m-c1-1', 'm-c1-2']);
  });

  it('claims only the contiguous run at the top of a first page with holes (a conversation never fetched on this device)', async () => {
    const seqs = [...Array.from({ length: 10 }, (_, i) => 51 + i), ...Array.from({ length: 11 }, (_, i) => 140 + i)];
    answerNextGetMessages(seqs.map((seq) => msg('c2', seq)), 150);
    server.connections[0]!.socket.receive('ResourceChangedNotification', { resource: 'messages:c2', version: 150, ids: [] });
    await settle();
    expect(sentBy('GetMessagesCommand').at(-1)).toMatchObject({ conversationId: 'c2', beforeSeq: 151 });
    expectConsistent('c2');
    expect(core.store.syncPosition('c2')).toMatchObject({ syncedSeq: 150, oldestSeq: 140 });
  });

  it('loses no outbox entry while the pages lie', async () => {
    server.ignoreNext.set('SendMessageCommand', 1);
    core.outbox.send('c1', 'waiting for an answer');
    await settle();
    expect(core.store.findAll('outbox')).toHaveLength(1);
    answerNextGetMessages([msg('c1', 1), msg('c1', 1, 'm-dup'), msg('c1', 7)], 1);
    await notifyC1(1);
    expect(core.store.findAll('outbox')).toMatchObject([{ kind: 'send', body: 'waiting for an answer' }]);
  });
});

describe('hostile replies to a genuine GetConversationsCommand', () => {
  it("stores no conversation the user is not a member of, and neither subscribes to nor fetches its messages", async () => {
    // The session is fetched again on reconnect: this time the answer adds a conversation she is not in.
    tamper = (frame, socket) => {
      if (frame.name !== 'GetConversationsCommand') return false;
      tamper = null;
      const conversations = Object.fromEntries([...server.conversations.values()].map((c) => [c.id, { ...server.viewOf(c.id, 'u1'), latestSeq: 5 }]));
      queueMicrotask(() => socket.receive('ConversationsResponse', { requestId: frame.payload['requestId'], conversations, version: 2 }));
      return true;
    };
    server.dropAll();
    await settle(2000);
    server.acceptAll();
    await settle(2000);
    expect(core.store.findAll('conversations').map((c) => c.id).sort()).toEqual(['c1', 'c2']);
    expect(sentBy('SubscribeCommand').map((p) => p['resource'])).not.toContain('messages:c_foreign');
    expect(sentBy('GetMessagesCommand').map((p) => p['conversationId'])).not.toContain('c_foreign');
  });

  it('ignores a conversations notification whose inline item is a conversation the user is not in', async () => {
    const foreign = { ...server.viewOf('c_foreign', 'u2'), latestSeq: 3 };
    server.connections.at(-1)!.socket.receive('ResourceChangedNotification', { resource: 'conversations', version: 9, ids: ['c_foreign'], items: { c_foreign: foreign } });
    await settle(2000);
    expect(core.store.find('conversations', 'c_foreign')).toBeUndefined();
    expect(sentBy('GetMessagesCommand').map((p) => p['conversationId'])).not.toContain('c_foreign');
  });
});

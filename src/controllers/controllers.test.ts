import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from '../communicator/testing/fake-web-socket';
import type { ClientCore } from '../core/create-client-core';
import { ComposerView } from '../views/composer-view';
import type { FakeServer } from './testing/fake-server';
import { buildCore, deviceBackends, sentBy, settle, startFakeWorld, endFakeWorld } from './testing/core-harness';
import { wireMessage } from '../store/testing/entries';

let server: FakeServer;
let cores: ClientCore[];

async function online(core: ClientCore): Promise<void> {
  cores.push(core);
  void core.start();
  await settle(1);
  server.acceptAll();
  await settle(1);
}

async function loggedIn(username = 'alice', core = buildCore()): Promise<ClientCore> {
  await online(core);
  core.session.login({ username, password: `tidings-${username}`, publicComputer: false });
  await settle();
  return core;
}

beforeEach(() => {
  server = startFakeWorld();
  cores = [];
});
afterEach(async () => {
  for (const core of cores) await core.stop();
  endFakeWorld();
});

describe('LoginController', () => {
  it('registers, logs in by password, announces session:ready and loads contacts and conversations', async () => {
    const core = buildCore();
    const ready = vi.fn();
    core.dispatch.on('session:ready', ready);
    await loggedIn('alice', core);
    expect(FakeWebSocket.latest().sent.map((f) => f.name).slice(0, 2)).toEqual(['ClientRegistrationCommand', 'AccountLoginCommand']);
    expect(ready).toHaveBeenCalledWith({ user: expect.objectContaining({ id: 'u1' }), publicComputer: false });
    expect(core.collections.contacts.pluck('username')).toEqual(['bob']);
    expect(core.collections.conversations.pluck('id')).toEqual(['c1']);
    expect(sentBy('SubscribeCommand').map((p) => p['resource']).sort()).toEqual(['contacts', 'conversations', 'messages:c1']);
  });

  it('tries a password login THROTTLED for a short while again by itself after retryAfterMs, and reports a long one', async () => {
    const core = buildCore();
    const failures: string[] = [];
    core.dispatch.subscribe('login:failed', (e) => failures.push(e.reason));
    await online(core);
    server.throttleNextLogins.push(1500, 1500);
    core.session.login({ username: 'alice', password: 'tidings-alice', publicComputer: false });
    await settle(1000);
    expect(sentBy('AccountLoginCommand')).toHaveLength(1);
    await settle(3000);
    expect(sentBy('AccountLoginCommand')).toHaveLength(3);
    expect(core.session.currentUser()?.username).toBe('alice');
    expect(failures).toEqual([]);
    const other = buildCore();
    other.dispatch.subscribe('login:failed', (e) => failures.push(e.reason));
    await online(other);
    server.throttleNextLogins.push(120_000);
    other.session.login({ username: 'bob', password: 'tidings-bob', publicComputer: false });
    await settle(200_000);
    expect(failures).toEqual(['THROTTLED']);
    expect(sentBy('AccountLoginCommand')).toHaveLength(4);
  });

  it('reports a wrong password, and UNREACHABLE when there is no server', async () => {
    const core = buildCore();
    const failures: string[] = [];
    core.dispatch.subscribe('login:failed', (e) => failures.push(e.reason));
    await online(core);
    core.session.login({ username: 'alice', password: 'wrong-password', publicComputer: false });
    await settle();
    expect(failures).toEqual(['BAD_CREDENTIALS']);
    FakeWebSocket.latest().close(1006);
    await settle(1);
    core.session.login({ username: 'alice', password: 'tidings-alice', publicComputer: false });
    expect(FakeWebSocket.instances).toHaveLength(2); // tried at once, not after the backoff
    FakeWebSocket.latest().close(1006);
    await settle(1);
    expect(failures).toEqual(['BAD_CREDENTIALS', 'UNREACHABLE']);
  });

  it('resumes with the stored token after a reload, and after every reconnect', async () => {
    const device = deviceBackends();
    const first = await loggedIn('alice', buildCore(device));
    await first.store.flush();
    await first.stop();
    const second = buildCore(device);
    const ready = vi.fn();
    second.dispatch.on('session:ready', ready);
    await online(second);
    await settle();
    expect(second.session.hasStoredSession()).toBe(true);
    expect(ready).toHaveBeenCalledTimes(1);
    const logins = FakeWebSocket.latest().sentNamed('AccountLoginCommand');
    expect(logins[0]!['userInformation']).toEqual({ sessionToken: expect.stringMatching(/^tok-/) });
    server.dropAll();
    await settle(300);
    server.acceptAll();
    await settle();
    expect(ready).toHaveBeenCalledTimes(2);
  });

  it('on an expired token keeps the data, asks for the password, then flushes the outbox', async () => {
    const core = await loggedIn();
    server.dropAll();
    await settle(1);
    core.outbox.send('c1', 'written while offline');
    server.tokens.clear();
    const ended: string[] = [];
    const failures: string[] = [];
    core.dispatch.subscribe('session:ended', (e) => ended.push(e.reason));
    core.dispatch.subscribe('login:failed', (e) => failures.push(e.reason));
    await settle(300);
    server.acceptAll();
    await settle();
    expect(ended).toEqual(['expired']);
    expect(failures).toEqual(['SESSION_EXPIRED']);
    expect(core.session.hasStoredSession()).toBe(false);
    expect(core.outbox.pendingCount()).toBe(1);
    expect(core.collections.conversations.length).toBe(1);
    core.session.login({ username: 'alice', password: 'tidings-alice', publicComputer: false });
    await settle();
    expect(core.outbox.pendingCount()).toBe(0);
    expect(server.messages.get('c1')!.map((m) => m.body)).toEqual(['written while offline']);
  });

  it('wipes everything and ends the session when it is revoked, or on logout', async () => {
    const device = deviceBackends();
    const core = await loggedIn('alice', buildCore(device));
    const ended: string[] = [];
    core.dispatch.subscribe('session:ended', (e) => ended.push(e.reason));
    FakeWebSocket.latest().receive('SessionRevokedNotification', {});
    await settle();
    expect(ended).toEqual(['revoked']);
    expect(core.collections.conversations.length).toBe(0);
    expect(core.session.currentUser()).toBeNull();

    core.session.login({ username: 'alice', password: 'tidings-alice', publicComputer: false });
    await settle();
    await core.store.flush();
    expect(device.local instanceof Object && (device.local as unknown as { data: Map<string, unknown> }).data.size).toBeGreaterThan(0);
    await core.session.logout();
    expect(ended).toEqual(['revoked', 'logout']);
    expect(sentBy('AccountLogoutCommand')).toHaveLength(1);
    expect((device.local as unknown as { data: Map<string, unknown> }).data.size).toBe(0);
    expect((device.indexed as unknown as { data: Map<string, unknown> }).data.size).toBe(0);
  });

  it('signs up, then logs in with the new account', async () => {
    const core = buildCore();
    await online(core);
    const ready = vi.fn();
    core.dispatch.on('session:ready', ready);
    await core.session.signup({ username: 'zoe', password: 'zoe-secret-1', publicComputer: true });
    await settle();
    expect(ready).toHaveBeenCalledWith({ user: expect.objectContaining({ username: 'zoe' }), publicComputer: true });
    await expect(core.session.signup({ username: 'zoe', password: 'zoe-secret-1', publicComputer: true })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(core.session.isPublicComputer()).toBe(true);
  });
});

describe('SubscriptionController', () => {
  it('claims nobody is online while it is not connected: after a drop, and on a cold start from the cache', async () => {
    const device = deviceBackends();
    const core = await loggedIn('alice', buildCore(device));
    const bob = (c: ClientCore) => c.collections.contacts.get('u2')!.get('online');
    expect(bob(core)).toBe(true);
    server.dropAll();
    await settle(1);
    expect(bob(core)).toBe(false);
    await settle(300);
    server.acceptAll();
    await settle();
    expect(bob(core)).toBe(true);
    // What the disk holds says online; with no socket yet, the app must not repeat it.
    await core.store.flush();
    await core.stop();
    cores.splice(cores.indexOf(core), 1);
    const reopened = buildCore(device);
    cores.push(reopened);
    await reopened.start();
    expect(reopened.store.find('contacts', 'u2')).toBeDefined();
    expect(bob(reopened)).toBe(false);
  });

  it('stores inline messages and fills a gap from the last contiguous seq', async () => {
    const core = await loggedIn();
    server.post('c1', 'u2', 'one');
    await settle();
    expect(core.collections.messagesFor('c1').pluck('body')).toEqual(['one']);
    server.post('c1', 'u2', 'two', 'x2', false); // its notification is lost
    server.post('c1', 'u2', 'three');
    await settle();
    const gets = sentBy('GetMessagesCommand');
    expect(gets.at(-1)).toMatchObject({ conversationId: 'c1', afterSeq: 1 });
    expect(core.collections.messagesFor('c1').pluck('body')).toEqual(['one', 'two', 'three']);
    expect(core.store.syncPosition('c1').syncedSeq).toBe(3);
  });

  it('ignores message notifications for a conversation it does not know: nothing stored, nothing fetched', async () => {
    const core = await loggedIn();
    const before = sentBy('GetMessagesCommand').length;
    const socket = server.connections[0]!.socket;
    const message = { id: 'm_x', conversationId: 'c_not_mine', seq: 1, senderId: 'u2', clientMessageId: 'x', body: 'injected', sentAt: 1 };
    socket.receive('ResourceChangedNotification', { resource: 'messages:c_not_mine', version: 3, ids: ['m_x'], items: { m_x: message } });
    await settle();
    expect(core.store.find('messages', 'm_x')).toBeUndefined();
    expect(core.store.syncPosition('c_not_mine').syncedSeq).toBe(0);
    expect(sentBy('GetMessagesCommand').slice(before)).toEqual([]);
    // Its own conversation still takes notifications as before.
    server.post('c1', 'u2', 'mine');
    await settle();
    expect(core.collections.messagesFor('c1').pluck('body')).toEqual(['mine']);
  });

  it('works with notifications that carry no items', async () => {
    server.inlineItems = false;
    const core = await loggedIn();
    server.post('c1', 'u2', 'fetched');
    await settle();
    expect(core.collections.messagesFor('c1').pluck('body')).toEqual(['fetched']);
  });

  it('on reconnect fetches exactly what was missed, after the last stored seq', async () => {
    const core = await loggedIn();
    for (let i = 1; i <= 3; i++) server.post('c1', 'u2', `m${i}`);
    await settle();
    server.dropAll();
    for (let i = 4; i <= 700; i++) server.post('c1', 'u2', `m${i}`);
    const before = sentBy('GetMessagesCommand').length;
    await settle(300);
    server.acceptAll();
    await settle();
    const catchUp = sentBy('GetMessagesCommand').slice(before);
    expect(catchUp.map((p) => p['afterSeq'])).toEqual([3, 503]);
    const bodies = core.collections.messagesFor('c1').pluck('body');
    expect(bodies).toHaveLength(700);
    expect(new Set(bodies).size).toBe(700);
  });

  it('retries a catch-up whose answer never came on a socket that stayed open (TIMEOUT)', async () => {
    const core = await loggedIn();
    server.post('c1', 'u2', 'one', 'x1', false); // its notification is lost
    server.ignoreNext.set('GetMessagesCommand', 1); // and so is the answer to the gap fill
    server.post('c1', 'u2', 'two');
    await settle();
    expect(core.collections.messagesFor('c1').pluck('body')).toEqual(['two']);
    await settle(15_000 + 1_000); // the request times out; the retry backs off (at most 1 s)
    expect(sentBy('GetMessagesCommand').filter((p) => p['afterSeq'] === 0)).toHaveLength(2);
    expect(core.collections.messagesFor('c1').pluck('body')).toEqual(['one', 'two']);
    expect(core.store.syncPosition('c1').syncedSeq).toBe(2);
  });

  it('retries the second round of a catch-up that was asked for during the first, when that round is refused', async () => {
    const core = await loggedIn();
    server.replyDelayMs.set('GetMessagesCommand', 100);
    server.post('c1', 'u2', 'one', 'x1', false);
    server.post('c1', 'u2', 'two'); // gap: round one, afterSeq 0, answered in 100 ms
    await settle(10);
    server.refuseNext.set('GetMessagesCommand', ['RATE_LIMITED']);
    server.post('c1', 'u2', 'three', 'x3', false);
    server.post('c1', 'u2', 'four'); // another gap while round one runs: round two, refused
    await settle(200);
    expect(sentBy('GetMessagesCommand').map((p) => p['afterSeq'])).toEqual([0, 2]);
    expect(core.store.syncPosition('c1').syncedSeq).toBe(2);
    await settle(1_500); // retried after the backoff
    expect(sentBy('GetMessagesCommand').map((p) => p['afterSeq'])).toEqual([0, 2, 2]);
    expect(core.collections.messagesFor('c1').pluck('body')).toEqual(['one', 'two', 'three', 'four']);
    expect(core.store.syncPosition('c1').syncedSeq).toBe(4);
  });

  it('starts a long unseen conversation from its newest page and pages back with beforeSeq', async () => {
    for (let i = 1; i <= 250; i++) server.post('c1', 'u2', `m${i}`);
    const core = await loggedIn();
    expect(core.store.messagesOf('c1').map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 151 + i));
    expect(await core.history.loadOlder('c1')).toBe(true);
    expect(sentBy('GetMessagesCommand').at(-1)).toMatchObject({ beforeSeq: 151 });
    expect(await core.history.loadOlder('c1')).toBe(false);
    expect(core.collections.messagesFor('c1').pluck('seq')).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
  });
});

describe('OutboxController', () => {
  it('echoes at once, then replaces the echo with the acknowledged message', async () => {
    const core = await loggedIn();
    const messages = core.collections.messagesFor('c1');
    const view = core.outbox.send('c1', 'hello');
    expect(view).toMatchObject({ seq: null, state: 'pending', body: 'hello' });
    expect(messages.pluck('state')).toEqual(['pending']);
    const echo = messages.at(0);
    await settle();
    expect(messages.length).toBe(1);
    expect(messages.at(0)).toBe(echo);
    expect(echo.get('seq')).toBe(1);
    expect(echo.get('state')).toBe('sent');
    expect(core.outbox.pendingCount()).toBe(0);
  });

  it('a stored message of mine (a notification, another tab) settles its outbox entry in the same call, after the message change', async () => {
    const core = await loggedIn();
    server.silent = true;
    const echo = core.outbox.send('c1', 'settled by the store');
    await settle(1);
    const changes: string[] = [];
    core.dispatch.on('all', (name: string) => {
      if (name === 'store:change:messages' || name === 'store:change:outbox') changes.push(name.slice('store:change:'.length));
    });
    const message = wireMessage({ id: 'm_x', conversationId: 'c1', seq: 1, senderId: echo.senderId, clientMessageId: echo.clientMessageId, body: echo.body, sentAt: 1 });
    core.store.addEntries([message]);
    expect(core.outbox.pendingCount()).toBe(0);
    expect(changes).toEqual(['messages', 'outbox']);
    expect(core.collections.messagesFor('c1').pluck('state')).toEqual(['sent']);
  });

  it("without the sending socket's own messages notification (the real server leaves it out), the ack alone stores the message and moves the sync position", async () => {
    server.notifySender = false;
    server.notifyConversations = true;
    const core = await loggedIn();
    const fetches = sentBy('GetMessagesCommand').length;
    for (const body of ['one', 'two', 'three']) core.outbox.send('c1', body);
    await settle(500);
    expect(core.collections.messagesFor('c1').pluck('seq')).toEqual([1, 2, 3]);
    expect(core.collections.messagesFor('c1').pluck('state')).toEqual(['sent', 'sent', 'sent']);
    expect(core.outbox.pendingCount()).toBe(0);
    expect(core.store.syncPosition('c1').syncedSeq).toBe(3);
    // Nothing had to be fetched: the conversations notifications showed nothing beyond seq 3.
    expect(sentBy('GetMessagesCommand')).toHaveLength(fetches);
  });

  it("without the sending socket's own messages notification, a gap before an acked message is filled by catch-up", async () => {
    server.notifySender = false;
    server.notifyConversations = true;
    const core = await loggedIn();
    server.post('c1', 'u2', 'from bob', 'b1', false); // its notification to alice is lost
    core.outbox.send('c1', 'from alice');
    await settle(500);
    expect(sentBy('GetMessagesCommand').at(-1)).toMatchObject({ conversationId: 'c1', afterSeq: 0 });
    expect(core.collections.messagesFor('c1').pluck('body')).toEqual(['from bob', 'from alice']);
    expect(core.store.syncPosition('c1').syncedSeq).toBe(2);
    expect(core.outbox.pendingCount()).toBe(0);
  });

  it('rejects an empty body with INVALID_PAYLOAD', async () => {
    const core = await loggedIn();
    expect(() => core.outbox.send('c1', '   ')).toThrow(expect.objectContaining({ code: 'INVALID_PAYLOAD' }));
  });

  it('keeps offline messages and sends them in order, once each, when the session returns', async () => {
    const core = await loggedIn();
    server.dropAll();
    await settle(1);
    for (let i = 1; i <= 5; i++) core.outbox.send('c1', `offline ${i}`);
    expect(core.outbox.pendingCount()).toBe(5);
    await settle(300);
    server.acceptAll();
    await settle(200);
    expect(server.messages.get('c1')!.map((m) => m.body)).toEqual([1, 2, 3, 4, 5].map((i) => `offline ${i}`));
    expect(core.collections.messagesFor('c1').pluck('seq')).toEqual([1, 2, 3, 4, 5]);
  });

  it('drops mid-flight without losing or duplicating: the resend reuses the clientMessageId', async () => {
    const core = await loggedIn();
    server.silent = true; // the server stores nothing and answers nothing...
    core.outbox.send('c1', 'in flight');
    await settle(1);
    server.silent = false;
    const [sent] = sentBy('SendMessageCommand');
    server.post('c1', 'u1', 'in flight', sent!['clientMessageId'] as string, false); // ...or stored it and the answer was lost
    server.dropAll();
    await settle(300);
    server.acceptAll();
    await settle();
    const resent = sentBy('SendMessageCommand');
    expect(resent).toHaveLength(2);
    expect(resent[1]!['clientMessageId']).toBe(sent!['clientMessageId']);
    expect(server.messages.get('c1')).toHaveLength(1);
    expect(core.collections.messagesFor('c1').pluck('body')).toEqual(['in flight']);
  });

  it('a link slower than the send timeout still drains, in order, once each: the server\'s notification or the late answer settles a message', async () => {
    const core = await loggedIn();
    server.replyDelayMs.set('SendMessageCommand', 40_000); // every answer takes longer than the 30 s send timeout
    core.outbox.send('c1', 'a');
    core.outbox.send('c1', 'b');
    // a: timed out at 30 s; the server's notification of a (at once) settled it, so b goes at 32 s
    // instead of a resend of a; a's answer comes at 40 s, b's at 72 s.
    await settle(41_000);
    expect(server.messages.get('c1')!.map((m) => m.body)).toEqual(['a', 'b']);
    expect(core.outbox.pendingCount()).toBe(0);
    expect(sentBy('SendMessageCommand').map((p) => p['body'])).toEqual(['a', 'b']);
    await settle(40_000);
    expect(core.outbox.pendingCount()).toBe(0);
    expect(server.messages.get('c1')!.map((m) => m.body)).toEqual(['a', 'b']);
    expect(core.collections.messagesFor('c1').pluck('body')).toEqual(['a', 'b']);
  });

  it('backs off on RATE_LIMITED and keeps the order', async () => {
    const core = await loggedIn();
    server.rateLimitSends = 2;
    core.outbox.send('c1', 'a');
    core.outbox.send('c1', 'b');
    await settle(100);
    expect(server.messages.get('c1')).toHaveLength(0);
    expect(sentBy('SendMessageCommand')).toHaveLength(1);
    await settle(600);
    expect(sentBy('SendMessageCommand')).toHaveLength(2);
    await settle(1100);
    expect(server.messages.get('c1')!.map((m) => m.body)).toEqual(['a', 'b']);
  });

  it('paces a large offline queue under the server rate and drains it', async () => {
    const core = await loggedIn();
    server.dropAll();
    await settle(1);
    for (let i = 0; i < 120; i++) core.outbox.send(i % 2 ? 'c1' : 'c2', `q${i}`);
    server.addConversation('c2', ['u1', 'u2']);
    await settle(300);
    server.acceptAll();
    await settle(500);
    expect(sentBy('SendMessageCommand').length).toBeLessThanOrEqual(40);
    await settle(3000);
    expect(core.outbox.pendingCount()).toBe(0);
    expect(server.messages.get('c1')!.map((m) => m.body)).toEqual(Array.from({ length: 60 }, (_, i) => `q${i * 2 + 1}`));
  });

  it('marks a refused message failed, lets it be retried or discarded', async () => {
    const core = await loggedIn();
    server.refuse.set('c1', 'FORBIDDEN');
    const view = core.outbox.send('c1', 'nope');
    await settle();
    const row = core.collections.messagesFor('c1').at(0);
    expect(row.get('state')).toBe('failed');
    expect(row.get('error')).toMatchObject({ code: 'FORBIDDEN' });
    server.refuse.clear();
    core.outbox.retry(view.clientMessageId);
    await settle();
    expect(row.get('state')).toBe('sent');
    server.refuse.set('c1', 'NOT_FOUND');
    const doomed = core.outbox.send('c1', 'discard me');
    await settle();
    await core.collections.messagesFor('c1').findWhere({ clientMessageId: doomed.clientMessageId })!.destroy({ wait: true });
    expect(core.collections.messagesFor('c1').pluck('body')).toEqual(['nope']);
    expect(core.outbox.pendingCount()).toBe(0);
  });
});

describe('ReceiptController and TypingController', () => {
  it('acks stored messages (debounced) and marks the visible conversation read', async () => {
    const core = await loggedIn();
    for (let i = 0; i < 5; i++) server.post('c1', 'u2', `m${i}`);
    await settle();
    expect(sentBy('AckMessagesCommand').at(-1)).toMatchObject({ conversationId: 'c1', seq: 5 });
    expect(sentBy('AckMessagesCommand').length).toBeLessThanOrEqual(2);
    expect(sentBy('MarkReadCommand')).toHaveLength(0);
    expect(core.collections.conversations.get('c1')!.unreadCount()).toBe(5);
    core.receipts.setVisibleConversation('c1');
    await settle(1000); // a second after the last receipt round of c1
    expect(sentBy('MarkReadCommand')).toEqual([{ conversationId: 'c1', seq: 5, requestId: expect.any(String) }]);
    expect(core.collections.conversations.get('c1')!.unreadCount()).toBe(0);
  });

  it('keeps one receipt per conversation on the wire: the next, with the newest seq, goes when it is answered', async () => {
    const core = await loggedIn();
    server.replyDelayMs.set('AckMessagesCommand', 2_000); // a slow link
    for (let i = 1; i <= 5; i++) {
      server.post('c1', 'u2', `m${i}`);
      await settle(100);
    }
    expect(sentBy('AckMessagesCommand')).toEqual([{ conversationId: 'c1', seq: 1, requestId: expect.any(String) }]);
    await settle(2_000);
    expect(sentBy('AckMessagesCommand').map((p) => p['seq'])).toEqual([1, 5]);
    expect(core.store.find('conversations', 'c1')!.myDeliveredSeq).toBe(5);
    await settle(5_000);
    expect(sentBy('AckMessagesCommand').map((p) => p['seq'])).toEqual([1, 5]);
  });

  it('sends a conversation at most one receipt round a second while messages stream in', async () => {
    await loggedIn();
    for (let i = 1; i <= 30; i++) {
      server.post('c1', 'u2', `m${i}`);
      await settle(100);
    }
    await settle(1000);
    const seqs = sentBy('AckMessagesCommand').map((p) => p['seq']);
    expect(seqs.length).toBeLessThanOrEqual(4);
    expect(seqs.at(-1)).toBe(30);
  });

  it('keeps announcing while the person types steadily in the composer, and stops 3 s after the last keystroke', async () => {
    const core = await loggedIn();
    const composer = new ComposerView(() => undefined, (typing) => core.typing.setTyping('c1', typing)).render();
    document.body.appendChild(composer.el);
    const input = composer.el.querySelector('textarea')!;
    for (let second = 0; second < 7; second++) {
      input.value += 'a';
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await settle(1000);
    }
    // Typing at 0, 3 and 6 s, never "stopped" while the keys keep coming.
    expect(sentBy('TypingCommand').map((p) => p['typing'])).toEqual([true, true, true]);
    await settle(3000);
    expect(sentBy('TypingCommand').map((p) => p['typing'])).toEqual([true, true, true, false]);
    composer.remove();
  });

  it('announces typing throttled, stops after idle or on send, and expires others’ typing', async () => {
    const core = await loggedIn();
    core.typing.setTyping('c1', true);
    await settle(1000);
    core.typing.setTyping('c1', true);
    expect(sentBy('TypingCommand')).toEqual([{ conversationId: 'c1', typing: true }]);
    await settle(3000);
    expect(sentBy('TypingCommand').at(-1)).toEqual({ conversationId: 'c1', typing: false });
    core.typing.setTyping('c1', true);
    core.outbox.send('c1', 'done');
    expect(sentBy('TypingCommand').at(-1)).toEqual({ conversationId: 'c1', typing: false });

    const changes: string[][] = [];
    core.dispatch.subscribe('typing:change', (e) => changes.push(e.userIds));
    FakeWebSocket.latest().receive('TypingNotification', { conversationId: 'c1', userId: 'u2', typing: true });
    expect(core.typing.typers('c1')).toEqual(['u2']);
    await settle(6000);
    expect(core.typing.typers('c1')).toEqual([]);
    expect(changes).toEqual([['u2'], []]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientCore } from '../core/create-client-core';
import type { FakeServer } from './testing/fake-server';
import { buildCore, sentBy, settle, startFakeWorld, endFakeWorld } from './testing/core-harness';

/**
 * Entries of every kind reaching clients: gap detection across kinds,
 * several devices changing one message, a message fetched by id, and
 * everyone's receipts for "seen by".
 */
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

beforeEach(() => {
  server = startFakeWorld();
  server.addUser('u3', 'cat');
  server.addConversation('g1', ['u1', 'u2', 'u3'], 'group');
  cores = [];
});
afterEach(async () => {
  for (const core of cores) await core.stop();
  endFakeWorld();
});

describe('entries of every kind', () => {
  it('a reaction whose notification was lost is a gap: the next notification catches it up from the last contiguous seq', async () => {
    const alice = await loggedIn('alice');
    const first = server.post('c1', 'u1', 'one');
    await settle();
    server.write('ReactCommand', 'u2', { conversationId: 'c1', clientMessageId: 'r1', targetId: first.id, emoji: '😂', on: true }, false);
    server.post('c1', 'u2', 'three');
    await settle();
    expect(sentBy('GetMessagesCommand').filter((p) => p['conversationId'] === 'c1').map((p) => p['afterSeq'])).toContain(1);
    expect(alice.store.syncPosition('c1').syncedSeq).toBe(3);
    expect(alice.collections.messagesFor('c1').map((m) => [m.get('body'), m.get('reactions')])).toEqual([
      ['one', { '😂': ['u2'] }],
      ['three', {}],
    ]);
  });

  it('two devices editing the same message end in the same state, the higher revision everywhere', async () => {
    const phone = await loggedIn('alice');
    const laptop = await loggedIn('alice');
    const bob = await loggedIn('bob');
    phone.outbox.send('c1', 'meet at 5');
    await settle();
    const id = phone.collections.messagesFor('c1').at(0).data.id;
    server.dropAll();
    await settle(1);
    phone.outbox.edit('c1', id, 'meet at 6');
    laptop.outbox.edit('c1', id, 'meet at 7');
    laptop.outbox.react('c1', id, '👍', true);
    await settle(300);
    server.acceptAll();
    await settle(1000);
    const final = server.messages.get('c1')![0]!;
    expect(final.revision).toBe(4);
    for (const core of [phone, laptop, bob]) {
      expect(core.store.find('messages', id)).toEqual(final);
      expect(core.collections.messagesFor('c1').at(0).attributes).toMatchObject({ body: final.body, revision: 4, reactions: { '👍': ['u1'] } });
    }
  });

  it('ensureMessage pages back to a quoted message near the history, fetches a far one alone, and says false for an unknown one', async () => {
    for (let i = 1; i <= 1300; i++) server.post('g1', 'u2', `m${i}`, undefined, false);
    const alice = await loggedIn('alice');
    // A conversation never seen starts from its newest page: 1201-1300.
    expect(alice.store.syncPosition('g1').oldestSeq).toBe(1201);
    const near = server.messages.get('g1')![500 - 1]!;
    expect(await alice.history.ensureMessage('g1', near.id)).toBe(true);
    expect(alice.store.syncPosition('g1').oldestSeq).toBeLessThanOrEqual(500);
    expect(alice.collections.messagesFor('g1').some((m) => m.get('id') === near.id)).toBe(true);
    const far = server.messages.get('g1')![9]!;
    expect(await alice.history.ensureMessage('g1', far.id)).toBe(true);
    expect(alice.collections.messagesFor('g1').find((m) => m.get('id') === far.id)?.get('body')).toBe('m10');
    expect(sentBy('GetMessagesCommand').filter((p) => p['ids'])).toHaveLength(2);
    expect(await alice.history.ensureMessage('g1', 'm-nobody-knows')).toBe(false);
  });

  it('watchReceipts follows receipts:<id>; seenBy says who read and who has it delivered; receipts:change fires', async () => {
    const alice = await loggedIn('alice');
    await loggedIn('bob');
    const message = server.post('g1', 'u1', 'seen?');
    await settle();
    const changes: string[] = [];
    alice.dispatch.on('receipts:change', (id: string) => changes.push(id));
    const stop = alice.receipts.watchReceipts('g1');
    await settle();
    expect(sentBy('SubscribeCommand').map((p) => p['resource'])).toContain('receipts:g1');
    expect(sentBy('GetReceiptsCommand')).toHaveLength(1);
    // Bob's client acknowledged it (delivered); he has not opened the group.
    expect(alice.receipts.seenBy('g1', message.seq)).toEqual({ read: [], delivered: ['u2'] });
    cores[1]!.receipts.setVisibleConversation('g1');
    await settle(2000);
    expect(alice.receipts.seenBy('g1', message.seq)).toEqual({ read: ['u2'], delivered: [] });
    expect(changes.length).toBeGreaterThanOrEqual(2);
    expect(changes.every((id) => id === 'g1')).toBe(true);
    stop();
    await settle();
    expect(sentBy('UnsubscribeCommand').map((p) => p['resource'])).toEqual(['receipts:g1']);
  });
});

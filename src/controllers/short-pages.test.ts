import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientCore } from '../core/create-client-core';
import type { FakeServer } from './testing/fake-server';
import { buildCore, endFakeWorld, sentBy, settle, startFakeWorld } from './testing/core-harness';

/**
 * The server cuts its replies by bytes (MAX_REPLY_BYTES): a messages page
 * may be shorter than asked, with hasMore, and the contacts and
 * conversations lists come in pages (afterId, hasMore, lastId). The client
 * follows every one of them to the end.
 */
let server: FakeServer;
let cores: ClientCore[];

/** A core that has connected and sent alice's login, whose answer may still be on its way. */
async function loggingIn(): Promise<ClientCore> {
  const core = buildCore();
  cores.push(core);
  void core.start();
  await settle(1);
  server.acceptAll();
  await settle(1);
  core.session.login({ username: 'alice', password: 'tidings-alice', publicComputer: false });
  return core;
}

async function loggedIn(): Promise<ClientCore> {
  const core = await loggingIn();
  await settle(200);
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

describe('shorter pages', () => {
  it('fetches every page of the conversations and contacts lists', async () => {
    for (let i = 2; i <= 7; i++) server.addConversation(`c${i}`, ['u1', 'u2']);
    for (let i = 3; i <= 8; i++) server.addUser(`u${i}`, `user${i}`);
    server.listPageSize = 2;
    const core = await loggedIn();
    expect(core.collections.conversations.pluck('id').sort()).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7']);
    expect(core.collections.contacts.pluck('id').sort()).toEqual(['u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8']);
    const asked = sentBy('GetConversationsCommand').map((p) => p['afterId'] ?? null);
    expect(asked).toEqual([null, 'c2', 'c4', 'c6']);
    expect(sentBy('GetContactsCommand')).toHaveLength(4);
  });

  it('keeps a conversation announced while the list was being paged', async () => {
    for (let i = 2; i <= 5; i++) server.addConversation(`c${i}`, ['u1', 'u2']);
    server.listPageSize = 2;
    server.replyDelayMs.set('GetConversationsCommand', 20);
    const core = await loggingIn();
    await settle(25); // the first page is on its way
    // A new conversation whose id sorts before the pages still to come: no later page lists it.
    server.notifyConversation(server.addConversation('c0', ['u1', 'u2']));
    await settle(200);
    expect(core.collections.conversations.pluck('id').sort()).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5']);
  });

  it('catches up through message pages shorter than asked, then pages back to the first message', async () => {
    for (let i = 0; i < 250; i++) server.post('c1', 'u2', `m${i + 1}`, undefined, false);
    server.messagesPageCap = 30;
    const core = await loggedIn();
    // A conversation never seen starts from its newest page.
    expect(core.store.syncPosition('c1').syncedSeq).toBe(250);
    let more = true;
    for (let round = 0; round < 20 && more; round++) more = await core.history.loadOlder('c1');
    expect(more).toBe(false);
    expect(core.store.messagesOf('c1').map((m) => m.seq)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    // Catching up after a gap follows hasMore through short pages as well.
    for (let i = 0; i < 95; i++) server.post('c1', 'u2', `late${i}`, undefined, false);
    server.notifyConversation(server.conversations.get('c1')!);
    await settle(1000);
    expect(core.store.syncPosition('c1').syncedSeq).toBe(345);
    expect(core.store.messagesOf('c1')).toHaveLength(345);
  });
});

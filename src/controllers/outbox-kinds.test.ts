import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientCore } from '../core/create-client-core';
import type { Message } from '../protocol';
import { REFUSAL_SENTENCES } from './outbox-wire';
import type { FakeServer } from './testing/fake-server';
import { buildCore, deviceBackends, sentBy, settle, startFakeWorld, endFakeWorld } from './testing/core-harness';

/**
 * The outbox's kinds of change on the fake server: merge rules before
 * sending, the order across kinds, optimistic rows that settle on the
 * answer, refusals kept as failed with their sentence, exactly once across
 * a reload.
 */
let server: FakeServer;
let cores: ClientCore[];

async function loggedIn(core = buildCore()): Promise<ClientCore> {
  cores.push(core);
  void core.start();
  await settle(1);
  server.acceptAll();
  await settle(1);
  core.session.login({ username: 'alice', password: 'tidings-alice', publicComputer: false });
  await settle();
  return core;
}

async function offline(): Promise<void> {
  server.dropAll();
  await settle(1);
}

async function backOnline(): Promise<void> {
  await settle(300);
  server.acceptAll();
  await settle(500);
}

const kindsOnServer = (conversationId = 'c1'): string[] => server.log.entries.get(conversationId)!.map((e) => e.kind);
const row = (core: ClientCore, id: string, conversationId = 'c1') => core.collections.messagesFor(conversationId).find((m) => m.get('id') === id)?.attributes;

beforeEach(() => {
  server = startFakeWorld();
  server.addUser('u3', 'cat');
  server.addConversation('g1', ['u2', 'u1', 'u3'], 'group'); // bob owns the group
  cores = [];
});
afterEach(async () => {
  for (const core of cores) await core.stop();
  endFakeWorld();
});

describe('outbox merge rules', () => {
  it('an edit of a pending message changes what is sent; no edit goes out', async () => {
    const core = await loggedIn();
    await offline();
    const echo = core.outbox.send('c1', 'helo wrld');
    core.outbox.edit('c1', echo.id, 'hello world');
    expect(core.collections.messagesFor('c1').pluck('body')).toEqual(['hello world']);
    expect(core.outbox.pendingCount()).toBe(1);
    await backOnline();
    expect(sentBy('SendMessageCommand').map((p) => p['body'])).toEqual(['hello world']);
    expect(sentBy('EditMessageCommand')).toEqual([]);
    expect(server.messages.get('c1')!.map((m) => m.body)).toEqual(['hello world']);
  });

  it('a deletion of a pending message removes it from the outbox: nothing goes out', async () => {
    const core = await loggedIn();
    await offline();
    const echo = core.outbox.send('c1', 'never mind');
    core.outbox.deleteMessage('c1', echo.id);
    expect(core.outbox.pendingCount()).toBe(0);
    expect(core.collections.messagesFor('c1').length).toBe(0);
    await backOnline();
    expect(sentBy('SendMessageCommand')).toEqual([]);
    expect(kindsOnServer()).toEqual([]);
  });

  it('a reaction toggled on and off while unsent sends nothing', async () => {
    const core = await loggedIn();
    const bobs = server.post('c1', 'u2', 'lunch?');
    await settle();
    await offline();
    core.outbox.react('c1', bobs.id, '👍', true);
    expect(row(core, bobs.id)).toMatchObject({ reactions: { '👍': ['u1'] }, pendingChanges: [{ kind: 'reaction', state: 'pending' }] });
    core.outbox.react('c1', bobs.id, '👍', false);
    expect(core.outbox.pendingCount()).toBe(0);
    expect(row(core, bobs.id)).toMatchObject({ reactions: {} });
    expect(row(core, bobs.id)!.pendingChanges).toBeUndefined();
    await backOnline();
    expect(sentBy('ReactCommand')).toEqual([]);
    expect(kindsOnServer()).toEqual(['message']);
  });

  it('an edit after an unsent edit of the same sent message replaces it: one edit, with the latest text', async () => {
    const core = await loggedIn();
    const sent = core.outbox.send('c1', 'first');
    await settle();
    const id = core.collections.messagesFor('c1').at(0).data.id;
    await offline();
    core.outbox.edit('c1', id, 'second');
    core.outbox.edit('c1', id, 'third');
    expect(core.outbox.pendingCount()).toBe(1);
    await backOnline();
    expect(sentBy('EditMessageCommand').map((p) => p['body'])).toEqual(['third']);
    expect(server.messages.get('c1')![0]).toMatchObject({ body: 'third', clientMessageId: sent.clientMessageId });
  });

  it('keeps the order the person acted in across kinds, each change once', async () => {
    const core = await loggedIn();
    core.outbox.send('c1', 'one');
    await settle();
    const one = core.collections.messagesFor('c1').at(0).data.id;
    const bobs = server.post('c1', 'u2', 'two');
    await settle();
    await offline();
    core.outbox.edit('c1', one, 'one, edited');
    const three = core.outbox.send('c1', 'three', { replyTo: bobs.id });
    core.outbox.react('c1', bobs.id, '🎉', true);
    core.outbox.react('c1', three.id, '👀', true); // a reaction to my own message not sent yet
    core.outbox.renameConversation('g1', 'Lunch club');
    core.outbox.addMembers('g1', ['u3']); // already in: answered with no entry
    await backOnline();
    expect(kindsOnServer()).toEqual(['message', 'message', 'edit', 'message', 'reaction', 'reaction']);
    expect(kindsOnServer('g1')).toEqual(['title']);
    expect(core.outbox.pendingCount()).toBe(0);
    const log = server.log.entries.get('c1')!;
    expect(log[3]).toMatchObject({ kind: 'message', body: 'three', replyTo: bobs.id });
    expect(log[5]).toMatchObject({ kind: 'reaction', targetId: log[3]!.id, emoji: '👀' });
    // The client holds the same: every seq, the edited body, both reactions.
    expect(core.store.syncPosition('c1').syncedSeq).toBe(6);
    expect(core.collections.messagesFor('c1').map((m) => [m.get('body'), m.get('reactions')])).toEqual([
      ['one, edited', {}],
      ['two', { '🎉': ['u1'] }],
      ['three', { '👀': ['u1'] }],
    ]);
    expect(core.collections.conversations.get('g1')!.get('title')).toBe('Lunch club');
  });
});

describe('optimistic changes', () => {
  it('show at once with pendingChanges, and settle on the answer (the target of higher revision)', async () => {
    const core = await loggedIn();
    core.outbox.send('c1', 'typo hree');
    await settle();
    const id = core.collections.messagesFor('c1').at(0).data.id;
    await offline();
    core.outbox.edit('c1', id, 'typo here');
    expect(row(core, id)).toMatchObject({ body: 'typo here', editedAt: expect.any(Number), pendingChanges: [{ kind: 'edit', state: 'pending' }] });
    await backOnline();
    expect(row(core, id)).toMatchObject({ body: 'typo here', revision: 2 });
    expect(row(core, id)!.pendingChanges).toBeUndefined();
    // The edit is not a row of its own.
    expect(core.collections.messagesFor('c1').length).toBe(1);
  });

  it('show a pending rename and a pending removal as system lines, which become the stored ones', async () => {
    server.conversations.get('g1')!.ownerId = 'u1';
    const core = await loggedIn();
    await offline();
    core.outbox.renameConversation('g1', 'Book club');
    core.outbox.removeMember('g1', 'u3');
    expect(core.collections.messagesFor('g1').map((m) => [m.get('kind'), m.get('state'), m.get('title') ?? m.get('removed')])).toEqual([
      ['title', 'pending', 'Book club'],
      ['members', 'pending', ['u3']],
    ]);
    await backOnline();
    expect(core.collections.messagesFor('g1').map((m) => [m.get('kind'), m.get('seq'), m.get('state')])).toEqual([
      ['title', 1, 'sent'],
      ['members', 2, 'sent'],
    ]);
    expect(core.store.find('conversations', 'g1')).toMatchObject({ title: 'Book club', memberIds: ['u2', 'u1'] });
  });
});

describe('refused changes', () => {
  it('an edit of a message deleted meanwhile fails with its sentence; the row shows the deletion; dismiss drops it', async () => {
    const core = await loggedIn();
    core.outbox.send('c1', 'draft plan');
    await settle();
    const id = core.collections.messagesFor('c1').at(0).data.id;
    await offline();
    core.outbox.edit('c1', id, 'the real plan');
    // Alice deleted it from her phone meanwhile.
    server.write('DeleteMessageCommand', 'u1', { conversationId: 'c1', clientMessageId: 'phone-1', targetId: id });
    await backOnline();
    expect(row(core, id)).toMatchObject({ body: '', deletedAt: expect.any(Number), pendingChanges: [{ kind: 'edit', state: 'failed', error: { code: 'GONE', message: REFUSAL_SENTENCES.GONE } }] });
    // The failed edit's text is gone too: nothing of the deleted message stays on the device.
    expect(JSON.stringify(core.store.findAll('outbox'))).not.toContain('real plan');
    const failed = row(core, id)!.pendingChanges![0]!.clientMessageId;
    core.outbox.dismiss(failed);
    expect(core.outbox.pendingCount()).toBe(0);
    expect(row(core, id)!.pendingChanges).toBeUndefined();
  });

  it("a removed member's changes fail with FORBIDDEN's sentence; the conversation stays, read-only, with its history", async () => {
    const core = await loggedIn();
    server.post('g1', 'u2', 'welcome');
    await settle();
    await offline();
    const echo = core.outbox.send('g1', 'thanks!');
    core.outbox.renameConversation('g1', 'Mine now');
    server.write('RemoveMemberCommand', 'u2', { conversationId: 'g1', clientMessageId: 'kick', memberId: 'u1' });
    await backOnline();
    const conversation = core.collections.conversations.get('g1')!;
    expect(conversation.isMember('u1')).toBe(false);
    expect(core.store.findAll('outbox').map((e) => [e.kind, e.state, e.error])).toEqual([
      ['send', 'failed', { code: 'FORBIDDEN', message: REFUSAL_SENTENCES.FORBIDDEN }],
      ['rename', 'failed', { code: 'FORBIDDEN', message: REFUSAL_SENTENCES.FORBIDDEN }],
    ]);
    // What she had stays; her unsent changes show failed.
    expect(core.collections.messagesFor('g1').map((m) => [m.get('kind'), m.get('body'), m.get('state')])).toEqual([
      ['message', 'welcome', 'sent'],
      ['message', 'thanks!', 'failed'],
      ['title', '', 'failed'],
    ]);
    expect(() => core.outbox.send('g1', 'again')).toThrow(REFUSAL_SENTENCES.FORBIDDEN);
    expect(echo.state).toBe('pending');
    expect(kindsOnServer('g1')).toEqual(['message', 'members']);
  });
});

describe('exactly once across a reload', () => {
  it('changes queued offline, the first on the wire when the page reloads, go out once each with the same clientMessageIds', async () => {
    const device = deviceBackends();
    const first = await loggedIn(buildCore(device));
    first.outbox.send('c1', 'mine');
    await settle();
    const mine = first.collections.messagesFor('c1').at(0).data.id;
    const bobs = server.post('c1', 'u2', 'theirs');
    await settle();
    await offline();
    first.outbox.edit('c1', mine, 'mine, better');
    first.outbox.react('c1', bobs.id, '❤️', true);
    first.outbox.send('c1', 'after');
    // Back online, the edit is stored by the server but its answer is slow; the page reloads meanwhile.
    server.replyDelayMs.set('EditMessageCommand', 5_000);
    await settle(300);
    server.acceptAll();
    await settle(100);
    const cmids = sentBy('EditMessageCommand').map((p) => p['clientMessageId']);
    expect(cmids).toHaveLength(1);
    await first.store.flush();
    await first.stop();
    cores.splice(cores.indexOf(first), 1);
    server.replyDelayMs.delete('EditMessageCommand');
    const second = await loggedIn(buildCore(device));
    await settle(500);
    // Resent with the same clientMessageId, or settled by the stored edit the catch-up brought: never a second edit.
    expect(new Set(sentBy('EditMessageCommand').map((p) => p['clientMessageId']))).toEqual(new Set(cmids));
    expect(new Set(sentBy('ReactCommand').map((p) => p['clientMessageId'])).size).toBe(1);
    expect(kindsOnServer()).toEqual(['message', 'message', 'edit', 'reaction', 'message']);
    expect(second.outbox.pendingCount()).toBe(0);
    expect(second.collections.messagesFor('c1').map((m) => m.get('body'))).toEqual(['mine, better', 'theirs', 'after']);
    expect((server.messages.get('c1')![1] as Message).reactions).toEqual({ '❤️': ['u1'] });
  });
});

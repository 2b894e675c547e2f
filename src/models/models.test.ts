import Backbone from 'backbone';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDispatch } from '../dispatch/dispatch';
import type { Conversation as ConversationAttributes, Message as WireMessage } from '../protocol';
import type { OutboxEntry } from '../store/records';
import { Store } from '../store/store';
import { storeSync } from '../store/store-sync';
import { wireConversation, wireMessage } from '../store/testing/entries';
import { ContactCollection } from './contact-collection';
import { ConversationCollection } from './conversation-collection';
import { MessageCollection } from './message-collection';
import { deriveState } from './message-state';
import type { ModelContext } from './model-context';

let context: ModelContext;
let store: Store;

/** A conversation of me and bob as I receive it: `positions` are [delivered, read] per member; the others' become the summaries. */
function conversation(id: string, updatedAt: number, positions: Record<string, [number, number]> = {}, latestSeq = 0): ConversationAttributes {
  const all: Record<string, [number, number]> = { me: [0, 0], bob: [0, 0], ...positions };
  const others = Object.keys(all).filter((u) => u !== 'me');
  return wireConversation({
    id, memberIds: Object.keys(all), kind: 'direct', latestSeq, updatedAt,
    myDeliveredSeq: all['me']![0], myReadSeq: all['me']![1],
    deliveredToAllSeq: Math.min(...others.map((u) => all[u]![0])), readByAllSeq: Math.min(...others.map((u) => all[u]![1])),
  });
}
function message(seq: number, senderId = 'bob', conversationId = 'c1'): WireMessage {
  return wireMessage({ id: `m${conversationId}${seq}`, conversationId, seq, senderId, clientMessageId: `k${senderId}${seq}`, body: `b${seq}`, sentAt: 1000 + seq });
}
function entry(clientMessageId: string, createdAt: number, conversationId = 'c1'): OutboxEntry {
  return { id: clientMessageId, clientMessageId, conversationId, senderId: 'me', kind: 'send', body: 'hello', replyTo: null, createdAt, order: createdAt, state: 'pending' };
}

// The collections fetch and their models save and destroy through Backbone.sync, as createClientCore points it.
beforeAll(() => {
  Backbone.sync = storeSync;
});

beforeEach(async () => {
  const dispatch = createDispatch();
  store = new Store({ dispatch, backends: null });
  const me = { id: 'me', username: 'me', displayName: 'Me' };
  await store.useAccount(me, true);
  store.addItems('session', { current: { id: 'current', user: me, sessionToken: null, publicComputer: true, expiresAt: 0 } });
  context = { dispatch, store };
});

describe('deriveState', () => {
  const conv = conversation('c1', 0, { bob: [5, 3] });
  it('follows the outbox before a seq, then the other members’ positions', () => {
    expect(deriveState({ senderId: 'me', seq: null }, conv, 'me')).toBe('pending');
    expect(deriveState({ senderId: 'me', seq: null }, conv, 'me', { ...entry('x', 1), state: 'failed' })).toBe('failed');
    expect(deriveState({ senderId: 'me', seq: 3 }, conv, 'me')).toBe('read');
    expect(deriveState({ senderId: 'me', seq: 5 }, conv, 'me')).toBe('delivered');
    expect(deriveState({ senderId: 'me', seq: 6 }, conv, 'me')).toBe('sent');
    expect(deriveState({ senderId: 'bob', seq: 6 }, conv, 'me')).toBe('sent');
  });
  it('needs every other member of a group', () => {
    const group = { ...conversation('g', 0, { bob: [9, 9], cat: [9, 2] }), memberIds: ['me', 'bob', 'cat'] };
    expect(deriveState({ senderId: 'me', seq: 4 }, group, 'me')).toBe('delivered');
  });
});

describe('ContactCollection', () => {
  it('sets existing, adds new and removes deleted contacts on store:change:contacts', () => {
    const contacts = new ContactCollection(context);
    store.addItems('contacts', { u2: { id: 'u2', username: 'bob', displayName: 'Bob', online: false, lastSeenAt: null } });
    expect(contacts.pluck('username')).toEqual(['bob']);
    const bob = contacts.get('u2')!;
    store.addItems('contacts', { u2: { id: 'u2', username: 'bob', displayName: 'Bob', online: true, lastSeenAt: 9 } });
    expect(contacts.get('u2')).toBe(bob);
    expect(bob.get('online')).toBe(true);
    store.removeItems('contacts', ['u2']);
    expect(contacts.length).toBe(0);
  });
});

describe('MessageCollection', () => {
  it('orders by seq with local echoes after, in the order written', () => {
    store.addItems('outbox', { b: entry('b', 50), a: entry('a', 40) });
    store.addEntries([message(2), message(1)]);
    const messages = new MessageCollection('c1', context);
    expect(messages.map((m) => m.get('seq') ?? m.get('clientMessageId'))).toEqual([1, 2, 'a', 'b']);
  });

  it('replaces the local echo by the server message, with no duplicate row', () => {
    const messages = new MessageCollection('c1', context);
    store.addItems('outbox', { k1: entry('k1', 5) });
    const echo = messages.at(0);
    expect(echo.get('state')).toBe('pending');
    store.addEntries([{ ...message(1, 'me'), clientMessageId: 'k1' }]);
    store.removeItems('outbox', ['k1']);
    expect(messages.length).toBe(1);
    expect(messages.at(0)).toBe(echo);
    expect(echo.get('seq')).toBe(1);
    expect(echo.get('state')).toBe('sent');
  });

  it('shows failed entries with their error and drops discarded ones', () => {
    const messages = new MessageCollection('c1', context);
    store.addItems('outbox', { k1: { ...entry('k1', 5), state: 'failed', error: { code: 'FORBIDDEN', message: 'not a member' } } });
    expect(messages.at(0).get('state')).toBe('failed');
    expect(messages.at(0).get('error')?.code).toBe('FORBIDDEN');
    store.removeItems('outbox', ['k1']);
    expect(messages.length).toBe(0);
  });

  it('moves own messages to delivered and read as receipts arrive, and ignores other conversations', () => {
    store.addItems('conversations', { c1: conversation('c1', 1) });
    store.addEntries([message(1, 'me'), message(2, 'me'), message(1, 'bob', 'c2')]);
    const messages = new MessageCollection('c1', context);
    expect(messages.pluck('state')).toEqual(['sent', 'sent']);
    store.addItems('conversations', { c1: conversation('c1', 2, { bob: [2, 1] }) });
    expect(messages.pluck('state')).toEqual(['read', 'delivered']);
  });

  it('fetches this conversation\'s stored messages and echoes from the store declared on it', async () => {
    const messages = new MessageCollection('c1', context);
    store.addEntries([message(1), message(1, 'bob', 'c2')]);
    store.addItems('outbox', { k: entry('k', 5), other: entry('other', 6, 'c2') });
    messages.reset();
    await messages.fetch();
    expect(messages.map((m) => m.get('seq') ?? m.get('clientMessageId'))).toEqual([1, 'k']);
  });

  it('discards a local echo by destroying it: its outbox entry leaves the store, and the row with it', async () => {
    store.addItems('outbox', { k1: { ...entry('k1', 5), state: 'failed' } });
    const messages = new MessageCollection('c1', context);
    await messages.at(0).destroy({ wait: true });
    expect(store.find('outbox', 'k1')).toBeUndefined();
    expect(messages.length).toBe(0);
  });

  it('refuses to destroy a server message from its model, and keeps the row', async () => {
    store.addEntries([message(1)]);
    const messages = new MessageCollection('c1', context);
    await expect(messages.at(0).destroy({ wait: true })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(store.messagesOf('c1')).toHaveLength(1);
    expect(messages.length).toBe(1);
  });
});

describe('ConversationCollection', () => {
  it('sorts by newest activity, bumped by a local pending send', () => {
    store.addItems('conversations', { c1: conversation('c1', 100), c2: conversation('c2', 200) });
    const conversations = new ConversationCollection(context);
    expect(conversations.pluck('id')).toEqual(['c2', 'c1']);
    store.addItems('outbox', { k: entry('k', 300, 'c1') });
    expect(conversations.pluck('id')).toEqual(['c1', 'c2']);
    store.addItems('conversations', { c2: conversation('c2', 400) });
    expect(conversations.pluck('id')).toEqual(['c2', 'c1']);
  });

  it('moves a conversation up as soon as a message newer than its updatedAt is stored, before its own update arrives', () => {
    store.addItems('conversations', { c1: conversation('c1', 100), c2: conversation('c2', 200) });
    const conversations = new ConversationCollection(context);
    expect(conversations.pluck('id')).toEqual(['c2', 'c1']);
    store.addEntries([{ ...message(1, 'bob', 'c1'), sentAt: 300 }]);
    expect(conversations.pluck('id')).toEqual(['c1', 'c2']);
  });

  it('counts unread messages from others past my read position and offers the last message', () => {
    store.addItems('conversations', { c1: conversation('c1', 1, { me: [0, 1] }, 4) });
    store.addEntries([message(1), message(2), message(3, 'me'), message(4)]);
    const conversations = new ConversationCollection(context);
    const c1 = conversations.get('c1')!;
    expect(c1.unreadCount()).toBe(2);
    expect(c1.lastMessage()?.body).toBe('b4');
    store.addItems('outbox', { k: entry('k', 5000) });
    expect(c1.lastMessage()).toMatchObject({ seq: null, state: 'pending', body: 'hello' });
  });

  it('counts only messages from others as unread, finds the first of them, and tells a removed member apart', () => {
    store.addItems('conversations', { c1: conversation('c1', 1, { me: [0, 1] }, 6) });
    store.addEntries([
      message(1),
      { ...message(2, 'me'), kind: 'title', title: 'Plans' } as never,
      { id: 'r3', conversationId: 'c1', seq: 3, senderId: 'bob', clientMessageId: 'r3', sentAt: 3, kind: 'reaction', targetId: 'mc11', emoji: '👍', on: true, target: { ...message(1), reactions: { '👍': ['bob'] }, revision: 3 } },
      message(4, 'me'),
      message(5),
      { id: 'a6', conversationId: 'c1', seq: 6, senderId: 'bob', clientMessageId: 'a6', sentAt: 6, kind: 'members', added: ['cat'], removed: [] },
    ]);
    const c1 = new ConversationCollection(context).get('c1')!;
    expect(c1.unreadCount()).toBe(1);
    expect(c1.firstUnreadSeq()).toBe(5);
    expect(c1.isMember('me')).toBe(true);
    store.addItems('conversations', { c1: { ...conversation('c1', 1, { me: [0, 6] }, 6), memberIds: ['bob', 'cat'] } });
    expect(c1.firstUnreadSeq()).toBeNull();
    expect(c1.isMember('me')).toBe(false);
    // Rows: messages and system lines; the reaction is applied to its message, not a row.
    expect(new MessageCollection('c1', context).map((m) => [m.get('seq'), m.get('kind')])).toEqual([[1, 'message'], [2, 'title'], [4, 'message'], [5, 'message'], [6, 'members']]);
    expect(store.find('messages', 'mc11')).toMatchObject({ reactions: { '👍': ['bob'] }, revision: 3 });
  });
});

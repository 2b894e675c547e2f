import { beforeEach, describe, expect, it } from 'vitest';
import { createDispatch, type Dispatch } from '../dispatch/dispatch';
import type { Entry, Message, User } from '../protocol';
import { chunkKey, headsKey, outboxKey, schemaKey } from './key-layout';
import type { SessionRecord } from './records';
import { Store } from './store';
import { wireConversation, wireMessage } from './testing/entries';
import { RecordingBackend } from './testing/recording-backend';

const alice: User = { id: 'u1', username: 'alice', displayName: 'Alice' };
const session: SessionRecord = { id: 'current', user: alice, sessionToken: 'tok', publicComputer: false, expiresAt: 0 };
let bus: Dispatch;
let local: RecordingBackend;
let indexed: RecordingBackend;

const base = (seq: number, senderId = 'u1') => ({ id: `e${seq}`, conversationId: 'c1', seq, senderId, clientMessageId: `k${seq}`, sentAt: 1000 + seq });
const m1 = wireMessage({ ...base(1), id: 'm1', body: 'the secret plan' });
/** The log of c1: a message, an edit, a reaction and a deletion of it, each with the message as it was right after. */
const log: Entry[] = [
  m1,
  { ...base(2), kind: 'edit', targetId: 'm1', target: { ...m1, body: 'the secret plan, v2', editedAt: 1002, revision: 2 } },
  { ...base(3, 'u2'), kind: 'reaction', targetId: 'm1', emoji: '👍', on: true, target: { ...m1, body: 'the secret plan, v2', editedAt: 1002, reactions: { '👍': ['u2'] }, revision: 3 } },
  { ...base(4), kind: 'delete', targetId: 'm1', target: { ...m1, body: '', editedAt: 1002, deletedAt: 1004, revision: 4 } },
];

async function persistentStore(): Promise<Store> {
  const store = new Store({ dispatch: bus, backends: { local, indexed } });
  await store.useAccount(alice, false);
  store.addItems('session', { current: session });
  return store;
}

/** Every value the device holds, as text: what a forensic look at the disk would find. */
function everythingOnDisk(): string {
  return JSON.stringify([...local.data.values(), ...indexed.data.values()]);
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

beforeEach(() => {
  bus = createDispatch();
  local = new RecordingBackend();
  indexed = new RecordingBackend();
});

describe('Store: entries of every kind', () => {
  it('ends in the same state whatever order the entries arrive in: the highest revision wins, every seq counts', () => {
    for (const order of permutations(log)) {
      const store = new Store({ dispatch: createDispatch(), backends: null });
      for (const entry of order) store.addEntries([entry]);
      expect(store.find('messages', 'm1')).toMatchObject({ body: '', deletedAt: 1004, reactions: {}, revision: 4 });
      expect(store.syncPosition('c1').syncedSeq).toBe(4);
      // Changes are kept as marks without their copy of the message: no text survives in them.
      expect(JSON.stringify(store.messagesOf('c1'))).not.toContain('secret');
    }
  });

  it('never lets an older copy replace a newer one (paging back after catching up)', () => {
    const store = new Store({ dispatch: bus, backends: null });
    const edited = { ...m1, body: 'edited', editedAt: 5, revision: 7 };
    store.addEntries([edited]);
    store.addEntries([m1]);
    expect(store.find('messages', 'm1')).toMatchObject({ body: 'edited', revision: 7 });
  });

  it('counts edits, reactions, members and title entries for the gap-free sync position', () => {
    const store = new Store({ dispatch: bus, backends: null });
    store.addEntries([log[0]!, log[2]!]);
    expect(store.syncPosition('c1').syncedSeq).toBe(1);
    store.addEntries([{ ...base(5, 'u2'), kind: 'members', added: ['u3'], removed: [] }, { ...base(6, 'u2'), kind: 'title', title: 'Plans' }]);
    expect(store.syncPosition('c1').syncedSeq).toBe(1);
    store.addEntries([log[1]!, log[3]!]);
    expect(store.syncPosition('c1').syncedSeq).toBe(6);
  });

  it('erases a deleted message from memory, the chunk on disk and the heads record when the deletion arrives', async () => {
    const store = await persistentStore();
    store.addEntries([log[0]!, log[1]!]);
    await store.flush();
    expect(everythingOnDisk()).toContain('the secret plan');
    store.addEntries([log[3]!]);
    await store.flush();
    const chunk = indexed.data.get(chunkKey('u1', 'c1', 0)) as Record<string, Message>;
    expect(chunk['m1']).toMatchObject({ body: '', deletedAt: 1004 });
    expect((indexed.data.get(headsKey('u1')) as Record<string, Message>)['c1']).toMatchObject({ body: '' });
    expect(everythingOnDisk()).not.toContain('secret plan');
  });

  it('erases a deleted message that is on disk only (its chunk not read yet), and the chunk read later yields the deletion', async () => {
    const seed = await persistentStore();
    seed.addItems('conversations', { c1: wireConversation({ id: 'c1', memberIds: ['u1', 'u2'], latestSeq: 300, myReadSeq: 300 }) });
    const filler = Array.from({ length: 299 }, (_, i) => wireMessage({ ...base(i + 2, 'u2'), body: `filler ${i}` }));
    seed.addEntries([m1, ...filler]);
    await seed.flush();
    const cold = new Store({ dispatch: bus, backends: { local, indexed } });
    await cold.load();
    expect(cold.find('messages', 'm1')).toBeUndefined(); // chunk 0 is still on disk only
    const deletion = log[3] as Extract<Entry, { kind: 'delete' }>;
    cold.addEntries([{ ...deletion, seq: 301, id: 'e301', target: { ...deletion.target, revision: 301 } }]);
    await cold.flush();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(everythingOnDisk()).not.toContain('secret plan');
    await cold.loadStoredHistory('c1', Infinity);
    expect(cold.find('messages', 'm1')).toMatchObject({ body: '', revision: 301 });
  });

  it('keeps the newer revision on disk when another tab writes the chunk from an older copy', async () => {
    const tabA = await persistentStore();
    const tabB = await persistentStore();
    tabA.addEntries([m1]);
    tabB.addEntries([m1]);
    await tabA.flush();
    tabB.addEntries([log[3]!]);
    await tabB.flush();
    // Tab A, which never heard of the deletion, stores another message of the same chunk.
    tabA.addEntries([wireMessage({ ...base(5, 'u2'), body: 'later' })]);
    await tabA.flush();
    const chunk = indexed.data.get(chunkKey('u1', 'c1', 0)) as Record<string, Message>;
    expect(chunk['m1']).toMatchObject({ body: '', revision: 4 });
    expect(everythingOnDisk()).not.toContain('secret plan');
  });

  it('upgrades records persisted by the version-1 client as it reads them', async () => {
    local.data.set('tidings:session', session);
    local.data.set(schemaKey('u1', 'conversations'), {
      c1: { id: 'c1', kind: 'direct', title: '', memberIds: ['u1', 'u2'], latestSeq: 2, updatedAt: 9, members: { u1: { deliveredSeq: 2, readSeq: 1 }, u2: { deliveredSeq: 2, readSeq: 2 } } },
    });
    indexed.data.set(schemaKey('u1', 'meta'), { c1: { id: 'c1', syncedSeq: 2, oldestSeq: 1 } });
    indexed.data.set(chunkKey('u1', 'c1', 0), {
      v1: { id: 'v1', conversationId: 'c1', seq: 1, senderId: 'u2', clientMessageId: 'a', body: 'old one', sentAt: 1 },
      v2: { id: 'v2', conversationId: 'c1', seq: 2, senderId: 'u2', clientMessageId: 'b', body: 'old two', sentAt: 2 },
    });
    indexed.data.set(outboxKey('u1', 'k9'), { id: 'k9', clientMessageId: 'k9', conversationId: 'c1', senderId: 'u1', body: 'unsent', createdAt: 3, order: 1, state: 'pending' });
    const store = new Store({ dispatch: bus, backends: { local, indexed } });
    await store.load();
    await store.loadStoredHistory('c1', Infinity);
    expect(store.messagesOf('c1')).toEqual([
      { id: 'v1', conversationId: 'c1', seq: 1, senderId: 'u2', clientMessageId: 'a', body: 'old one', sentAt: 1, kind: 'message', revision: 1, reactions: {}, replyTo: null, editedAt: null, deletedAt: null, attachments: [] },
      expect.objectContaining({ id: 'v2', kind: 'message', revision: 2 }),
    ]);
    expect(store.find('conversations', 'c1')).toMatchObject({ myDeliveredSeq: 2, myReadSeq: 1, deliveredToAllSeq: 2, readByAllSeq: 2, members: { u1: { joinedSeq: 1 }, u2: { joinedSeq: 1 } } });
    expect(store.find('outbox', 'k9')).toMatchObject({ kind: 'send', body: 'unsent', replyTo: null });
    // An upgraded message takes a newer revision like any other.
    store.addEntries([{ ...base(3, 'u2'), kind: 'reaction', targetId: 'v1', emoji: '🎉', on: true, target: { ...(store.find('messages', 'v1') as Message), reactions: { '🎉': ['u2'] }, revision: 3 } }]);
    expect(store.find('messages', 'v1')).toMatchObject({ reactions: { '🎉': ['u2'] }, revision: 3 });
  });
});

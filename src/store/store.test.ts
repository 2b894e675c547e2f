import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDispatch, type Dispatch } from '../dispatch/dispatch';
import type { Message, User } from '../protocol';
import { createBrowserBackends } from './browser-backends';
import { MemoryBackend } from './key-value-backend';
import type { OutboxEntry, SessionRecord } from './records';
import { Store, type StoreBackends } from './store';
import { RecordingBackend } from './testing/recording-backend';
import { wireMessage } from './testing/entries';

const alice: User = { id: 'u1', username: 'alice', displayName: 'Alice' };
let dbCounter = 0;
let bus: Dispatch;
let dbName: string;

function message(seq: number, conversationId = 'c1', sentAt = seq): Message {
  return wireMessage({ id: `${conversationId}-m${seq}`, conversationId, seq, senderId: 'u2', clientMessageId: `k${conversationId}${seq}`, body: `hi ${seq}`, sentAt });
}
function outboxEntry(id: string): OutboxEntry {
  return { id, clientMessageId: id, conversationId: 'c1', senderId: 'u1', kind: 'send', body: 'later', replyTo: null, createdAt: 1, order: 1, state: 'pending' };
}
function session(publicComputer = false): SessionRecord {
  return { id: 'current', user: alice, sessionToken: 'tok', publicComputer, expiresAt: 0 };
}
function browserStore(): Store {
  return new Store({ dispatch: bus, backends: createBrowserBackends({ localStorage, indexedDB, dbName }), flushDelayMs: 5 });
}
async function databaseExists(name: string): Promise<boolean> {
  return (await indexedDB.databases()).some((db) => db.name === name);
}

beforeEach(() => {
  bus = createDispatch();
  dbName = `tidings-test-${++dbCounter}`;
  localStorage.clear();
});
afterEach(() => {
  localStorage.clear();
});

describe('Store', () => {
  it('fires store:change:<schema> with the changed ids, and finds what it holds', () => {
    const store = new Store({ dispatch: bus, backends: null });
    const changes: unknown[] = [];
    bus.on('store:change:contacts', (p: unknown) => changes.push(p));
    const bob = { id: 'u2', username: 'bob', displayName: 'Bob', online: true, lastSeenAt: null };
    store.addItems('contacts', { u2: bob });
    expect(changes).toEqual([{ contacts: ['u2'] }]);
    expect(store.find('contacts', 'u2')).toEqual(bob);
    expect(store.findAll('contacts')).toEqual([bob]);
    store.removeItems('contacts', ['u2', 'nobody']);
    expect(changes.at(-1)).toEqual({ contacts: ['u2'] });
    expect(store.find('contacts', 'u2')).toBeUndefined();
  });

  it('keeps messages per conversation in seq order and advances the contiguous sync position', () => {
    const store = new Store({ dispatch: bus, backends: null });
    const metaChanges: string[][] = [];
    bus.subscribe('store:change:meta', (p) => metaChanges.push(p.meta));
    store.addEntries([message(2), message(1), message(4)]);
    expect(store.messagesOf('c1').map((m) => m.seq)).toEqual([1, 2, 4]);
    expect(store.syncPosition('c1')).toMatchObject({ syncedSeq: 2, oldestSeq: 1 });
    store.addEntries([message(3)]);
    expect(store.syncPosition('c1').syncedSeq).toBe(4);
    expect(metaChanges).toEqual([['c1'], ['c1']]);
  });

  it('round-trips every schema through localStorage and IndexedDB', async () => {
    const store = browserStore();
    await store.useAccount(alice, false);
    store.addItems('session', { current: session() });
    store.addItems('contacts', { u2: { id: 'u2', username: 'bob', displayName: 'Bob', online: false, lastSeenAt: 5 } });
    store.addEntries(Array.from({ length: 600 }, (_, i) => message(i + 1)));
    store.addItems('outbox', { k1: outboxEntry('k1') });
    await store.flush();
    expect(localStorage.getItem('tidings:u1:contacts')).toContain('bob');

    const cold = browserStore();
    const seen: string[] = [];
    bus.on('all', (name: string) => seen.push(name));
    await cold.load();
    expect(cold.find('session', 'current')?.sessionToken).toBe('tok');
    expect(cold.find('contacts', 'u2')?.username).toBe('bob');
    expect(cold.newestMessage('c1')?.seq).toBe(600);
    expect(await cold.loadStoredHistory('c1', Infinity)).toBe(600);
    expect(cold.messagesOf('c1')).toHaveLength(600);
    expect(cold.syncPosition('c1').syncedSeq).toBe(600);
    expect(cold.find('outbox', 'k1')).toMatchObject({ body: 'later' });
    expect(seen).toEqual(expect.arrayContaining(['store:change:messages', 'store:change:outbox', 'store:change:session']));
  });

  it('in public-computer mode writes nothing to localStorage or IndexedDB', async () => {
    const store = browserStore();
    await store.useAccount(alice, true);
    store.addItems('session', { current: session(true) });
    store.addItems('contacts', { u2: { id: 'u2', username: 'bob', displayName: 'Bob', online: false, lastSeenAt: null } });
    store.addEntries([message(1)]);
    store.addItems('outbox', { k1: outboxEntry('k1') });
    await store.flush();
    await new Promise((r) => setTimeout(r, 20));
    expect(localStorage.length).toBe(0);
    expect(await databaseExists(dbName)).toBe(false);
    expect(store.find('outbox', 'k1')).toBeDefined();
  });

  it('batches a burst of writes into one IndexedDB transaction', async () => {
    const backends = createBrowserBackends({ localStorage, indexedDB, dbName });
    const write = vi.spyOn(backends.indexed, 'write');
    const store = new Store({ dispatch: bus, backends, flushDelayMs: 5 });
    await store.useAccount(alice, false);
    await store.flush();
    write.mockClear();
    for (let seq = 1; seq <= 200; seq++) store.addEntries([message(seq)]);
    for (let i = 0; i < 20; i++) store.addItems('outbox', { [`k${i}`]: outboxEntry(`k${i}`) });
    await new Promise((r) => setTimeout(r, 30));
    await store.flush();
    expect(write).toHaveBeenCalledTimes(1);
  });

  it('writes one chunk, not the whole history, for a new message', async () => {
    const indexed = new RecordingBackend();
    const store = new Store({ dispatch: bus, backends: { local: new MemoryBackend(), indexed }, flushDelayMs: 5 });
    await store.useAccount(alice, false);
    store.addEntries(Array.from({ length: 2000 }, (_, i) => message(i + 1)));
    await store.flush();
    indexed.writes = [];
    store.addEntries([message(2001)]);
    await store.flush();
    const [batch] = indexed.writes;
    const written = [...batch!.set, ...batch!.merge].filter(([key]) => key.includes(':messages:'));
    expect(written).toHaveLength(1);
    expect(Object.keys(written[0]![1] as object).length).toBeLessThanOrEqual(256);
  });

  it('on a quota error evicts the oldest history, keeps the outbox, and announces store:evicted', async () => {
    const indexed = new RecordingBackend();
    const backends: StoreBackends = { local: new MemoryBackend(), indexed };
    const store = new Store({ dispatch: bus, backends, flushDelayMs: 5 });
    await store.useAccount(alice, false);
    store.addEntries(Array.from({ length: 1000 }, (_, i) => message(i + 1, 'old', i)));
    await store.flush();
    indexed.messageQuota = 1000;
    const evicted: number[] = [];
    bus.subscribe('store:evicted', (e) => evicted.push(e.messages));
    store.addEntries(Array.from({ length: 300 }, (_, i) => message(i + 1, 'new', 10_000 + i)));
    store.addItems('outbox', { k1: outboxEntry('k1') });
    await store.flush();
    expect(evicted.length).toBeGreaterThan(0);
    expect([...indexed.data.keys()].some((k) => k.endsWith('outbox:k1'))).toBe(true);
    expect(store.messagesOf('new')).toHaveLength(300);
    expect(store.messagesOf('old')[0]!.seq).toBeGreaterThan(1);
    expect(store.syncPosition('old')).toMatchObject({ syncedSeq: 1000, oldestSeq: store.messagesOf('old')[0]!.seq });
  });

  it('wipe() clears memory, its localStorage keys and the IndexedDB database, leaving others', async () => {
    localStorage.setItem('someone-else', 'x');
    const store = browserStore();
    await store.useAccount(alice, false);
    store.addItems('session', { current: session() });
    store.addEntries([message(1)]);
    await store.flush();
    expect(await databaseExists(dbName)).toBe(true);
    const removed: string[][] = [];
    bus.subscribe('store:change:messages', (p) => removed.push(p.messages));
    await store.wipe();
    expect(removed).toEqual([['c1-m1']]);
    expect(store.findAll('messages')).toEqual([]);
    expect(localStorage.getItem('tidings:session')).toBeNull();
    expect(localStorage.getItem('someone-else')).toBe('x');
    expect(await databaseExists(dbName)).toBe(false);
  });

  // Speed itself is measured by `npm run bench -- browser`, not here: this
  // guards the shape of the work (each chunk read once, whole chunks at a time).
  it('reads 20,000 cached messages in whole chunks, each once, when asked for all of them', async () => {
    const indexed = new RecordingBackend();
    const local = new RecordingBackend();
    const seed = new Store({ dispatch: bus, backends: { local, indexed }, flushDelayMs: 5 });
    await seed.useAccount(alice, false);
    seed.addItems('session', { current: session() });
    for (let c = 0; c < 4; c++) seed.addEntries(Array.from({ length: 5000 }, (_, i) => message(i + 1, `c${c}`)));
    await seed.flush();
    const cold = new Store({ dispatch: bus, backends: { local, indexed } });
    indexed.reads = [];
    await cold.load();
    for (let c = 0; c < 4; c++) await cold.loadStoredHistory(`c${c}`, Infinity);
    expect(cold.findAll('messages')).toHaveLength(20_000);
    const chunkReads = indexed.reads.filter((key) => key.includes(':messages:'));
    // 5,000 seqs per conversation in chunks of 256: 20 chunks each, 80 in all.
    expect(chunkReads).toHaveLength(80);
    expect(new Set(chunkReads).size).toBe(80);
  });

  it('merges another tab’s additions to the same history chunk', async () => {
    const a = browserStore();
    const b = browserStore();
    await a.useAccount(alice, false);
    await b.useAccount(alice, false);
    a.addEntries([message(1)]);
    b.addEntries([message(2)]);
    await a.flush();
    await b.flush();
    a.addItems('session', { current: session() });
    await a.flush();
    const cold = browserStore();
    await cold.load();
    await cold.loadStoredHistory('c1');
    expect(cold.messagesOf('c1').map((m) => m.seq)).toEqual([1, 2]);
  });
});

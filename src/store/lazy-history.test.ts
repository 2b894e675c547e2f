import Backbone from 'backbone';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDispatch, type Dispatch } from '../dispatch/dispatch';
import { ConversationCollection } from '../models/conversation-collection';
import { MessageCollection, OPEN_WINDOW } from '../models/message-collection';
import type { Conversation, Message, User } from '../protocol';
import { MemoryBackend } from './key-value-backend';
import type { SessionRecord } from './records';
import { Store, type StoreBackends } from './store';
import { storeSync } from './store-sync';
import { RecordingBackend } from './testing/recording-backend';
import { wireConversation, wireMessage } from './testing/entries';

const alice: User = { id: 'u1', username: 'alice', displayName: 'Alice' };
const session: SessionRecord = { id: 'current', user: alice, sessionToken: 'tok', publicComputer: false, expiresAt: 0 };
let bus: Dispatch;
let local: RecordingBackend;
let indexed: RecordingBackend;

function message(seq: number, conversationId = 'c1', senderId = 'u2'): Message {
  return wireMessage({ id: `${conversationId}-m${seq}`, conversationId, seq, senderId, clientMessageId: `k${seq}`, body: `hi ${seq}`, sentAt: 1000 + seq });
}
function conversation(id: string, latestSeq: number, readSeq: number): Conversation {
  return wireConversation({ id, memberIds: ['u1', 'u2'], latestSeq, updatedAt: 1, myDeliveredSeq: latestSeq, myReadSeq: readSeq, deliveredToAllSeq: latestSeq, readByAllSeq: latestSeq });
}
/** A device with `count` messages of c1 on disk; every third one from alice herself. */
async function seedDevice(count: number, readSeq: number): Promise<void> {
  const seed = new Store({ dispatch: bus, backends: { local, indexed } });
  await seed.useAccount(alice, false);
  seed.addItems('session', { current: session });
  seed.addItems('conversations', { c1: conversation('c1', count, readSeq) });
  seed.addEntries(Array.from({ length: count }, (_, i) => message(i + 1, 'c1', (i + 1) % 3 === 0 ? 'u1' : 'u2')));
  await seed.flush();
  indexed.reads = [];
}
function coldStore(backends: StoreBackends = { local, indexed }): Store {
  return new Store({ dispatch: bus, backends });
}
/** `seedDevice`, then a new tab's store loaded from that device (the cold start). */
async function coldStart(count: number, readSeq: number): Promise<Store> {
  await seedDevice(count, readSeq);
  const cold = coldStore();
  await cold.load();
  return cold;
}
const chunkReads = (): string[] => indexed.reads.filter((key) => key.includes(':messages:')).map((key) => key.slice(key.lastIndexOf(':') + 1));

// The collections fetch through Backbone.sync, as createClientCore points it.
beforeAll(() => {
  Backbone.sync = storeSync;
});

beforeEach(() => {
  bus = createDispatch();
  local = new RecordingBackend();
  indexed = new RecordingBackend();
});

describe('Store: lazy history', () => {
  it('reads no history chunk at a cold start when every conversation is read up to its newest message', async () => {
    const cold = await coldStart(600, 600);
    expect(chunkReads()).toEqual([]);
    expect(cold.messagesOf('c1')).toEqual([]);
    // The conversation list still has its preview, and nothing unread.
    const conversations = new ConversationCollection({ dispatch: bus, store: cold });
    expect(conversations.get('c1')!.lastMessage()?.body).toBe('hi 600');
    expect(conversations.get('c1')!.unreadCount()).toBe(0);
    expect(cold.syncPosition('c1')).toMatchObject({ syncedSeq: 600, oldestSeq: 1 });
  });

  it('reads the chunks an unread count examines, so the badge is right before the rest of the history', async () => {
    const cold = await coldStart(600, 500);
    // Seqs 501-600 lie in chunks 1 (257-512) and 2 (513-768); chunk 0 stays on disk.
    expect(chunkReads().sort()).toEqual(['1', '2']);
    const conversations = new ConversationCollection({ dispatch: bus, store: cold });
    // 100 messages past the read position, 34 of them alice's own (every third seq, 501 to 600).
    expect(conversations.get('c1')!.unreadCount()).toBe(66);
  });

  it('reads a conversation newest chunk first, one at a time, and says when the disk holds no more', async () => {
    const cold = await coldStart(600, 600);
    const added: number[] = [];
    bus.subscribe('store:change:messages', (e) => added.push(e.messages.length));
    expect(await cold.loadStoredHistory('c1')).toBe(88);
    expect(cold.messagesOf('c1').map((m) => m.seq)).toEqual(Array.from({ length: 88 }, (_, i) => 513 + i));
    expect(await cold.loadStoredHistory('c1')).toBe(256);
    expect(cold.messagesOf('c1')[0]!.seq).toBe(257);
    expect(await cold.loadStoredHistory('c1', 1000)).toBe(256);
    expect(cold.messagesOf('c1')).toHaveLength(600);
    expect(await cold.loadStoredHistory('c1')).toBe(0);
    expect(added).toEqual([88, 256, 256]);
    expect(chunkReads()).toEqual(['2', '1', '0']);
  });

  it('gives a message collection the newest window of its conversation when it is made', async () => {
    const cold = await coldStart(600, 600);
    const changes: number[] = [];
    bus.subscribe('store:change:messages', (e) => changes.push(e.messages.length));
    const messages = new MessageCollection('c1', { dispatch: bus, store: cold });
    await cold.loadStoredHistory('c1', 0); // waits for the collection's read, queued before it
    expect(messages.length).toBeGreaterThanOrEqual(OPEN_WINDOW);
    // Chunks 2 (88 messages) and 1 (256), read together: one change, so an opening list renders once.
    expect(changes).toEqual([344]);
    expect(messages.first()!.get('seq')).toBe(257);
    expect(messages.last()!.get('seq')).toBe(600);
  });

  it('keeps history written before heads existed: the newest chunk is read at the cold start', async () => {
    await seedDevice(600, 600);
    indexed.data.delete('tidings:u1:heads');
    const cold = coldStore();
    await cold.load();
    expect(chunkReads()).toEqual(['2']);
    expect(cold.newestMessage('c1')?.seq).toBe(600);
    // ... and writes the heads for the next start.
    await cold.flush();
    expect(indexed.data.get('tidings:u1:heads')).toMatchObject({ c1: { seq: 600 } });
  });

  it('does not bring history back after a wipe that came during a read', async () => {
    await seedDevice(600, 600);
    const gated = new GatedBackend(indexed);
    const cold = coldStore({ local, indexed: gated });
    await cold.load();
    gated.close();
    const reading = cold.loadStoredHistory('c1');
    await gated.entered;
    await cold.wipe();
    gated.open();
    expect(await reading).toBe(0);
    expect(cold.findAll('messages')).toEqual([]);
    expect(cold.newestMessage('c1')).toBeUndefined();
  });

  it('on a quota error evicts from the whole history, also the chunks not read yet', async () => {
    const cold = await coldStart(1000, 1000);
    await cold.useAccount(alice, false);
    indexed.messageQuota = 1000;
    cold.addEntries(Array.from({ length: 300 }, (_, i) => ({ ...message(i + 1, 'c2'), sentAt: 10_000 + i })));
    await cold.flush();
    const stored = [...indexed.data.keys()].filter((k) => k.includes(':messages:c1:'));
    // The oldest chunks of c1 went, from disk and from the sync position; its newest message stays the head.
    expect(stored).not.toContain('tidings:u1:messages:c1:0');
    expect(cold.syncPosition('c1').oldestSeq).toBeGreaterThan(1);
    expect(cold.newestMessage('c1')?.seq).toBe(1000);
    expect(cold.messagesOf('c2')).toHaveLength(300);
  });

  it('reads the rest of the history into memory when a trusted device switches to public use', async () => {
    const cold = await coldStart(600, 600);
    await cold.useAccount(alice, true);
    expect(cold.messagesOf('c1')).toHaveLength(600);
    expect([...indexed.data.keys()]).toEqual([]);
  });

  it('reads nothing from disk for a memory-only store', async () => {
    const store = new Store({ dispatch: bus, backends: { local: new MemoryBackend(), indexed: new MemoryBackend() } });
    await store.useAccount(alice, true);
    store.addEntries([message(1)]);
    expect(await store.loadStoredHistory('c1')).toBe(0);
    expect(store.newestMessage('c1')?.seq).toBe(1);
  });
});

/** Holds the answers to reads until opened, to put a wipe between a read's start and its answer. */
class GatedBackend extends RecordingBackend {
  private gate: Promise<void> = Promise.resolve();
  private release: () => void = () => undefined;
  /** Resolves when a read waits at the closed gate. */
  entered: Promise<void> = Promise.resolve();
  private enter: () => void = () => undefined;
  constructor(private readonly inner: RecordingBackend) {
    super();
  }
  close(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
    this.entered = new Promise((resolve) => (this.enter = resolve));
  }
  open(): void {
    this.release();
  }
  override async readAll(prefix: string): Promise<[string, unknown][]> {
    return this.wait(() => this.inner.readAll(prefix));
  }
  override async listKeys(prefix: string): Promise<string[]> {
    return this.wait(() => this.inner.listKeys(prefix));
  }
  override async readKeys(keys: string[]): Promise<[string, unknown][]> {
    return this.wait(() => this.inner.readKeys(keys));
  }
  /** Reads at once (as an IndexedDB transaction would) and answers when the gate opens. */
  private async wait<T>(read: () => Promise<T>): Promise<T> {
    const answer = read();
    this.enter();
    await this.gate;
    return answer;
  }
  override async write(batch: Parameters<RecordingBackend['write']>[0]): Promise<void> {
    return this.inner.write(batch);
  }
  override async destroy(prefix: string): Promise<void> {
    return this.inner.destroy(prefix);
  }
}

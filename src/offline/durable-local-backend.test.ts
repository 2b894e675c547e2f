import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { createDispatch } from '../dispatch/dispatch';
import { createBrowserBackends } from '../store/browser-backends';
import { SESSION_KEY } from '../store/key-layout';
import { LocalStorageBackend } from '../store/local-storage-backend';
import { ROOT } from '../store/key-layout';
import type { SessionRecord } from '../store/records';
import { Store } from '../store/store';
import { DurableLocalBackend, MIRROR_DATABASE, withDurableLocal } from './durable-local-backend';
import { wireConversation } from '../store/testing/entries';

/** A Storage of its own per test: "losing localStorage" is starting with a new one. */
class MapStorage implements Storage {
  private readonly data = new Map<string, string>();
  get length(): number {
    return this.data.size;
  }
  clear(): void {
    this.data.clear();
  }
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.data.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.data.delete(key);
  }
  setItem(key: string, value: string): void {
    this.data.set(key, String(value));
  }
}

const SESSION: SessionRecord = { id: 'current', user: { id: 'u1', username: 'alice', displayName: 'Alice' }, sessionToken: 't1', publicComputer: false, expiresAt: 1 };

async function databases(factory: IDBFactory): Promise<string[]> {
  return (await factory.databases()).map((d) => d.name ?? '');
}

function backend(storage: Storage, factory: IDBFactory): DurableLocalBackend {
  return new DurableLocalBackend(new LocalStorageBackend(storage, ROOT), factory);
}

describe('DurableLocalBackend', () => {
  it('keeps a copy in IndexedDB that a start with an empty localStorage reads (a crash before localStorage reached the disk)', async () => {
    const factory = new IDBFactory();
    const written = backend(new MapStorage(), factory);
    await written.write({ set: [[SESSION_KEY, SESSION], ['tidings:u1:conversations', { c1: { id: 'c1' } }]], merge: [], del: [] });

    const afterCrash = backend(new MapStorage(), factory);
    expect(await afterCrash.readAll(SESSION_KEY)).toEqual([[SESSION_KEY, SESSION]]);
    expect(await afterCrash.readAll('tidings:u1:')).toEqual([['tidings:u1:conversations', { c1: { id: 'c1' } }]]);
  });

  it('reads localStorage alone when it holds the prefix', async () => {
    const factory = new IDBFactory();
    const storage = new MapStorage();
    await backend(storage, factory).write({ set: [[SESSION_KEY, SESSION]], merge: [], del: [] });
    storage.setItem(SESSION_KEY, JSON.stringify({ ...SESSION, sessionToken: 'newer' }));
    expect(await backend(storage, factory).readAll(SESSION_KEY)).toEqual([[SESSION_KEY, { ...SESSION, sessionToken: 'newer' }]]);
  });

  it('creates no database by reading, nor by an empty batch: nothing on disk for a device that never stored a session', async () => {
    const factory = new IDBFactory();
    const durable = backend(new MapStorage(), factory);
    expect(await durable.readAll(SESSION_KEY)).toEqual([]);
    await durable.write({ set: [], merge: [], del: [] });
    expect(await databases(factory)).toEqual([]);
  });

  it('removes both copies: a key deleted, and everything on destroy', async () => {
    const factory = new IDBFactory();
    const storage = new MapStorage();
    const durable = backend(storage, factory);
    await durable.write({ set: [[SESSION_KEY, SESSION], ['tidings:u1:contacts', {}]], merge: [], del: [] });
    await durable.write({ set: [], merge: [], del: ['tidings:u1:contacts'] });
    expect(await backend(new MapStorage(), factory).readAll('tidings:u1:')).toEqual([]);
    await durable.destroy('');
    expect(storage.length).toBe(0);
    expect(await databases(factory)).toEqual([]);
  });
});

describe('the store on durable backends', () => {
  function storeOn(storage: Storage, factory: IDBFactory): Store {
    const backends = withDurableLocal(createBrowserBackends({ localStorage: storage, indexedDB: factory }), { indexedDB: factory });
    return new Store({ dispatch: createDispatch(), backends, flushDelayMs: 1 });
  }

  it('a trusted session written just before a crash that lost localStorage is loaded at the next start', async () => {
    const factory = new IDBFactory();
    const before = storeOn(new MapStorage(), factory);
    await before.useAccount(SESSION.user, false);
    before.addItems('session', { current: SESSION });
    before.addItems('conversations', { c1: wireConversation({ id: 'c1', memberIds: ['u1', 'u2'], updatedAt: 1 }) });
    await before.flush();

    const after = storeOn(new MapStorage(), factory);
    await after.load();
    expect(after.find('session', 'current')).toEqual(SESSION);
    expect(after.findAll('conversations').map((c) => c.id)).toEqual(['c1']);
    expect(await databases(factory)).toContain(MIRROR_DATABASE);
  });

  it('a public-computer session leaves no database, and a logout wipes the copy', async () => {
    const factory = new IDBFactory();
    const publicStore = storeOn(new MapStorage(), factory);
    await publicStore.load();
    await publicStore.useAccount(SESSION.user, true);
    publicStore.addItems('session', { current: { ...SESSION, publicComputer: true } });
    await publicStore.flush();
    expect(await databases(factory)).toEqual([]);

    const trusted = storeOn(new MapStorage(), factory);
    await trusted.useAccount(SESSION.user, false);
    trusted.addItems('session', { current: SESSION });
    await trusted.flush();
    expect(await databases(factory)).toContain(MIRROR_DATABASE);
    await trusted.wipe();
    expect(await databases(factory)).toEqual([]);
    const next = storeOn(new MapStorage(), factory);
    await next.load();
    expect(next.find('session', 'current')).toBeUndefined();
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import { createBrowserBackends } from './browser-backends';
import { EARLY_DB_NAME, EARLY_SESSION_KEY, EARLY_STORE_NAME, openEarly } from './early-open';
import { SESSION_KEY, chunkKey, headsKey, schemaKey } from './key-layout';

let n = 0;
const alice = { id: 'current', user: { id: 'u1', username: 'alice', displayName: 'Alice' }, sessionToken: 't', publicComputer: false, expiresAt: 0 };

async function databaseExists(name: string): Promise<boolean> {
  return (await indexedDB.databases()).some((db) => db.name === name);
}
function settled(request: IDBOpenDBRequest): Promise<void> {
  return new Promise((resolve) => {
    request.addEventListener('success', () => resolve());
    request.addEventListener('error', () => resolve());
  });
}

beforeEach(async () => {
  localStorage.clear();
  await new Promise((resolve) => (indexedDB.deleteDatabase(EARLY_DB_NAME).onsuccess = resolve));
  n++;
});

describe('openEarly', () => {
  it('uses the names of the store it warms up', () => {
    expect(EARLY_SESSION_KEY).toBe(SESSION_KEY);
    expect(`${schemaKey('u1', 'meta')}|${headsKey('u1')}|${chunkKey('u1', 'c', 0)}`).toBe('tidings:u1:meta|tidings:u1:heads|tidings:u1:messages:c:0');
    expect(EARLY_STORE_NAME).toBe('kv');
    expect(createBrowserBackends({ localStorage, indexedDB }).indexed.kind).toBe('indexedDB');
  });

  it('opens nothing without a stored session (a public computer, or nobody signed in)', () => {
    expect(openEarly(localStorage, indexedDB)).toBeNull();
    localStorage.setItem(SESSION_KEY, '{not json');
    expect(openEarly(localStorage, indexedDB)).toBeNull();
  });

  it('does not create the database where there is none', async () => {
    localStorage.setItem(SESSION_KEY, JSON.stringify(alice));
    await settled(openEarly(localStorage, indexedDB)!);
    expect(await databaseExists(EARLY_DB_NAME)).toBe(false);
  });

  it('lets a logout delete the database while it holds it open', async () => {
    localStorage.setItem(SESSION_KEY, JSON.stringify(alice));
    const backends = createBrowserBackends({ localStorage, indexedDB, dbName: EARLY_DB_NAME });
    await backends.indexed.write({ set: [[`tidings:u1:messages:c:${n}`, {}]], merge: [], del: [] });
    await settled(openEarly(localStorage, indexedDB, 60_000)!);
    await backends.indexed.destroy('');
    expect(await databaseExists(EARLY_DB_NAME)).toBe(false);
  });
});

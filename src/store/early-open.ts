/**
 * Opens the IndexedDB database of a trusted session stored on this device,
 * and reads the keys a cold start reads first, while the app's bundle is
 * still being fetched, compiled and evaluated: the browser then has the
 * database's backing store open and its blocks cached when the store asks
 * (src/store/early-open-entry.ts is a script of its own for this, see
 * vite.config.ts). It creates nothing, keeps nothing and never blocks a
 * logout's deletion of the database.
 *
 * This file imports nothing, so the entry stays a few hundred bytes and shares
 * no chunk with the app; the names below are key-layout.ts's and
 * browser-backends.ts's (early-open.test.ts checks that they agree).
 */
export const EARLY_SESSION_KEY = 'tidings:session';
export const EARLY_DB_NAME = 'tidings';
export const EARLY_STORE_NAME = 'kv';
/** The store's own connection is open long before this; the backing store stays open with it. */
const HOLD_MS = 10_000;

export function openEarly(storage: Storage | null, factory: IDBFactory | null, holdMs = HOLD_MS): IDBOpenDBRequest | null {
  if (!storage || !factory) return null;
  let userId: unknown;
  try {
    userId = (JSON.parse(storage.getItem(EARLY_SESSION_KEY) ?? 'null') as { user?: { id?: unknown } } | null)?.user?.id;
  } catch {
    return null;
  }
  // Only a trusted session is stored; a public computer has neither session nor database.
  if (typeof userId !== 'string' || userId === '') return null;
  const request = factory.open(EARLY_DB_NAME);
  // No database yet: do not make an empty one (the store creates it with its object store).
  request.onupgradeneeded = () => request.transaction?.abort();
  request.onerror = (event) => event.preventDefault();
  request.onsuccess = () => {
    const db = request.result;
    const close = (): void => db.close();
    // A logout (here or in another tab) deletes the database: never hold it up.
    db.onversionchange = close;
    setTimeout(close, holdMs);
    if (!db.objectStoreNames.contains(EARLY_STORE_NAME)) return;
    const prefix = `tidings:${userId}:`;
    const store = db.transaction(EARLY_STORE_NAME, 'readonly').objectStore(EARLY_STORE_NAME);
    // What Store.loadAccount reads first; the answers are dropped, the blocks stay cached.
    store.get(`${prefix}meta`);
    store.get(`${prefix}heads`);
    store.getAllKeys(IDBKeyRange.bound(`${prefix}messages:`, `${prefix}messages:\uffff`));
  };
  return request;
}

import { promisifyRequest } from 'idb-keyval';
import { isEmptyBatch, type KeyValueBackend, type WriteBatch } from '../store/key-value-backend';
import { applyBatch, readPrefix } from '../store/idb-batch';
import { SESSION_KEY } from '../store/key-layout';
import type { StorageOptions } from '../store/browser-backends';
import type { StoreBackends } from '../store/store';

/** The IndexedDB database that mirrors the small records (session, contacts, conversations). */
export const MIRROR_DATABASE = 'tidings-local';
const STORE_NAME = 'kv';

/**
 * localStorage with a durable copy in IndexedDB. Chromium commits a
 * localStorage write to disk up to seconds later, so a browser killed right
 * after login lost the session record (and the conversation list) and asked
 * for the password again; an IndexedDB transaction is on disk when it
 * completes (the browser hands it to the OS), and `durability: 'strict'`
 * (where supported; used for batches with the session record) also asks the
 * OS to flush it to the disk. Reads come from localStorage, and from the copy only when
 * localStorage holds nothing under the prefix (a start after such a crash),
 * so a normal start never waits for IndexedDB. Reading never creates the
 * database: a device that never stored a trusted session (public-computer
 * mode) keeps nothing on disk.
 */
export class DurableLocalBackend implements KeyValueBackend {
  readonly kind = 'localStorage' as const;
  private db: Promise<IDBDatabase | null> | null = null;

  constructor(
    private readonly primary: KeyValueBackend,
    private readonly factory: IDBFactory,
    private readonly dbName = MIRROR_DATABASE,
  ) {}

  async readAll(prefix: string): Promise<[string, unknown][]> {
    const entries = await this.primary.readAll(prefix);
    if (entries.length > 0) return entries;
    const db = await this.open(false);
    if (!db) return [];
    const store = db.transaction(STORE_NAME, 'readonly').objectStore(STORE_NAME);
    return readPrefix(store, prefix);
  }

  async write(batch: WriteBatch): Promise<void> {
    await this.primary.write(batch);
    // The store hands over a batch at every flush, mostly empty (only history or the outbox
    // changed): no transaction then, it would only cost time.
    if (isEmptyBatch(batch)) return;
    const db = await this.open(true);
    if (!db) return;
    // Any commit survives a killed browser; 'strict' also survives a power cut, at the price of a
    // disk flush, so only for the session record (login, token resume). The conversation list
    // changes with every message and the server gives it again: the browser's default, as for history.
    const session = batch.set.some(([key]) => key === SESSION_KEY) || batch.del.includes(SESSION_KEY);
    const transaction = db.transaction(STORE_NAME, 'readwrite', { durability: session ? 'strict' : 'default' });
    await applyBatch(transaction.objectStore(STORE_NAME), batch);
    await promisifyRequest(transaction);
  }

  async destroy(prefix: string): Promise<void> {
    await this.primary.destroy(prefix);
    if (prefix) {
      const db = await this.open(false);
      if (!db) return;
      const transaction = db.transaction(STORE_NAME, 'readwrite', { durability: 'strict' });
      transaction.objectStore(STORE_NAME).delete(IDBKeyRange.bound(prefix, prefix + '\uffff'));
      await promisifyRequest(transaction);
      return;
    }
    const db = this.db;
    this.db = null;
    if (db) (await db.catch(() => null))?.close();
    await promisifyRequest(this.factory.deleteDatabase(this.dbName));
  }

  /** The mirror's connection; null when it does not exist and `create` is false (the creation is rolled back). */
  private async open(create: boolean): Promise<IDBDatabase | null> {
    const db = this.db ? await this.db : null;
    if (db) return db;
    const opening = new Promise<IDBDatabase | null>((resolve, reject) => {
      const request = this.factory.open(this.dbName);
      request.onupgradeneeded = () => {
        // A new database: abort its creation when only reading, so nothing is left on disk.
        if (create) request.result.createObjectStore(STORE_NAME);
        else request.transaction?.abort();
      };
      request.onsuccess = () => {
        const opened = request.result;
        // Another tab deleting the database (logout) must not be blocked by us.
        opened.onversionchange = () => {
          opened.close();
          this.db = null;
        };
        resolve(opened);
      };
      request.onerror = () => {
        if (request.error?.name === 'AbortError' && !create) resolve(null);
        else reject(request.error ?? new Error(`could not open ${this.dbName}`));
      };
    });
    // A connection is kept; "no database yet" is asked again next time.
    this.db = opening.then((opened) => {
      if (!opened) this.db = null;
      return opened;
    });
    return opening;
  }
}

/**
 * The trusted-device backends with the small records mirrored durably in
 * IndexedDB; unchanged where there is no localStorage or no IndexedDB.
 */
export function withDurableLocal(backends: StoreBackends, options: StorageOptions = {}): StoreBackends {
  const factory = options.indexedDB === undefined ? (globalThis.indexedDB ?? null) : options.indexedDB;
  if (!factory || backends.local.kind !== 'localStorage') return backends;
  const dbName = options.dbName ? `${options.dbName}-local` : MIRROR_DATABASE;
  return { ...backends, local: new DurableLocalBackend(backends.local, factory, dbName) };
}

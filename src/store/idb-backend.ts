import { promisifyRequest } from 'idb-keyval';
import { applyBatch, readPrefix } from './idb-batch';
import type { KeyValueBackend, WriteBatch } from './key-value-backend';

/**
 * History and outbox in IndexedDB, in idb-keyval's layout (one database, one
 * object store of key-value pairs). It opens its own connection so `destroy`
 * can close it and delete the database; each `write` is one transaction.
 */
export class IdbBackend implements KeyValueBackend {
  readonly kind = 'indexedDB' as const;
  private db: Promise<IDBDatabase> | null = null;

  constructor(
    private readonly factory: IDBFactory,
    private readonly dbName = 'tidings',
    private readonly storeName = 'kv',
  ) {}

  async readAll(prefix: string): Promise<[string, unknown][]> {
    return this.run('readonly', (store) => readPrefix(store, prefix));
  }

  async listKeys(prefix: string): Promise<string[]> {
    return this.run('readonly', async (store) => {
      const keys = await promisifyRequest(store.getAllKeys(IDBKeyRange.bound(prefix, prefix + '\uffff')));
      return keys.map(String);
    });
  }

  /** One transaction; a key with no value is left out. */
  async readKeys(keys: string[]): Promise<[string, unknown][]> {
    return this.run('readonly', async (store) => {
      const values = await Promise.all(keys.map((key) => promisifyRequest(store.get(key))));
      return keys.flatMap((key, i): [string, unknown][] => (values[i] === undefined ? [] : [[key, values[i]]]));
    });
  }

  async write(batch: WriteBatch): Promise<void> {
    await this.run('readwrite', async (store) => {
      await applyBatch(store, batch);
      return promisifyRequest(store.transaction);
    });
  }

  async destroy(prefix: string): Promise<void> {
    if (prefix) {
      await this.run('readwrite', (store) => {
        store.delete(IDBKeyRange.bound(prefix, prefix + '\uffff'));
        return promisifyRequest(store.transaction);
      });
      return;
    }
    const db = this.db;
    this.db = null;
    if (db) (await db.catch(() => null))?.close();
    await promisifyRequest(this.factory.deleteDatabase(this.dbName));
  }

  private open(): Promise<IDBDatabase> {
    if (!this.db) {
      const request = this.factory.open(this.dbName);
      request.onupgradeneeded = () => request.result.createObjectStore(this.storeName);
      this.db = promisifyRequest(request).then((db) => {
        // Another tab deleting the database (logout) must not be blocked by us.
        db.onversionchange = () => {
          db.close();
          this.db = null;
        };
        return db;
      });
    }
    return this.db;
  }

  private async run<T>(mode: IDBTransactionMode, body: (store: IDBObjectStore) => Promise<T> | T): Promise<T> {
    const db = await this.open();
    return body(db.transaction(this.storeName, mode).objectStore(this.storeName));
  }
}

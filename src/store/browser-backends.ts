import { IdbBackend } from './idb-backend';
import { MemoryBackend } from './key-value-backend';
import { LocalStorageBackend } from './local-storage-backend';
import { ROOT } from './key-layout';
import type { StoreBackends } from './store';

export interface StorageOptions {
  /** null: no localStorage (small records stay in memory). Defaults to the browser's. */
  localStorage?: Storage | null;
  /** null: no IndexedDB (history stays in memory). Defaults to the browser's. */
  indexedDB?: IDBFactory | null;
  /** IndexedDB database name; tests use their own. */
  dbName?: string;
}

/** The trusted-device backends: localStorage for small records, IndexedDB (idb-keyval layout) for history and outbox. */
export function createBrowserBackends(options: StorageOptions = {}): StoreBackends {
  const storage = options.localStorage === undefined ? globalThis.localStorage ?? null : options.localStorage;
  const factory = options.indexedDB === undefined ? globalThis.indexedDB ?? null : options.indexedDB;
  return {
    local: storage ? new LocalStorageBackend(storage, ROOT) : new MemoryBackend(),
    indexed: factory ? new IdbBackend(factory, options.dbName ?? 'tidings') : new MemoryBackend(),
  };
}

import { promisifyRequest } from 'idb-keyval';
import { mergeRecords, type WriteBatch } from './key-value-backend';

/** Every key and value under `prefix` in one object store, in key order. */
export async function readPrefix(store: IDBObjectStore, prefix: string): Promise<[string, unknown][]> {
  const range = IDBKeyRange.bound(prefix, prefix + '\uffff');
  const [keys, values] = await Promise.all([promisifyRequest(store.getAllKeys(range)), promisifyRequest(store.getAll(range))]);
  return keys.map((key, i): [string, unknown] => [String(key), values[i]]);
}

/**
 * Applies a batch inside the caller's readwrite transaction. Merged keys are
 * read and written in that same transaction, so another tab's additions to
 * the same record (a history chunk) survive ours, and a newer revision of
 * a message they stored is not overwritten by an older one (mergeRecords).
 */
export async function applyBatch(store: IDBObjectStore, batch: WriteBatch): Promise<void> {
  for (const [key, value] of batch.set) store.put(value, key);
  for (const key of batch.del) store.delete(key);
  await Promise.all(
    batch.merge.map(async ([key, value]) => {
      const old = (await promisifyRequest(store.get(key))) as Record<string, unknown> | undefined;
      store.put(mergeRecords(old, value), key);
    }),
  );
}

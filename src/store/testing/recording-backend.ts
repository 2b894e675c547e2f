import { mergeRecords, type KeyValueBackend, type WriteBatch } from '../key-value-backend';

/**
 * An in-memory backend that counts its writes and can pretend the disk is
 * full: `messageQuota` caps how many messages its chunks may hold in total.
 */
export class RecordingBackend implements KeyValueBackend {
  readonly kind = 'indexedDB' as const;
  readonly data = new Map<string, unknown>();
  writes: WriteBatch[] = [];
  /** Keys of every value read, in order (tests assert what a cold start reads). */
  reads: string[] = [];
  messageQuota = Infinity;

  async readAll(prefix: string): Promise<[string, unknown][]> {
    const found = [...this.data].filter(([key]) => key.startsWith(prefix));
    this.reads.push(...found.map(([key]) => key));
    return found;
  }

  async listKeys(prefix: string): Promise<string[]> {
    return [...this.data.keys()].filter((key) => key.startsWith(prefix));
  }

  async readKeys(keys: string[]): Promise<[string, unknown][]> {
    const found = keys.flatMap((key): [string, unknown][] => (this.data.has(key) ? [[key, this.data.get(key)]] : []));
    this.reads.push(...found.map(([key]) => key));
    return found;
  }

  async write(batch: WriteBatch): Promise<void> {
    this.writes.push(batch);
    const next = new Map(this.data);
    for (const [key, value] of batch.set) next.set(key, value);
    for (const [key, value] of batch.merge) next.set(key, mergeRecords(next.get(key) as Record<string, unknown> | undefined, value));
    for (const key of batch.del) next.delete(key);
    let messages = 0;
    for (const [key, value] of next) if (key.includes(':messages:')) messages += Object.keys(value as object).length;
    if (messages > this.messageQuota) throw Object.assign(new Error('quota exceeded'), { name: 'QuotaExceededError' });
    this.data.clear();
    for (const [key, value] of next) this.data.set(key, value);
  }

  async destroy(prefix: string): Promise<void> {
    for (const key of [...this.data.keys()]) if (key.startsWith(prefix)) this.data.delete(key);
  }
}

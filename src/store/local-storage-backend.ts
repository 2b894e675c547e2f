import { mergeRecords, type KeyValueBackend, type WriteBatch } from './key-value-backend';

/** JSON values in localStorage, for the small records (session, contacts, conversations). */
export class LocalStorageBackend implements KeyValueBackend {
  readonly kind = 'localStorage' as const;

  constructor(
    private readonly storage: Storage,
    /** Every key this backend makes starts with it, so `destroy('')` removes only ours. */
    private readonly root: string,
  ) {}

  async readAll(prefix: string): Promise<[string, unknown][]> {
    const out: [string, unknown][] = [];
    for (const key of this.keys(prefix)) {
      const text = this.storage.getItem(key);
      if (text === null) continue;
      try {
        out.push([key, JSON.parse(text)]);
      } catch {
        // A corrupt entry is dropped; the server has the truth.
        this.storage.removeItem(key);
      }
    }
    return out;
  }

  async write(batch: WriteBatch): Promise<void> {
    for (const [key, value] of batch.set) this.storage.setItem(key, JSON.stringify(value));
    for (const [key, value] of batch.merge) {
      const old = this.storage.getItem(key);
      const merged = mergeRecords(old ? (JSON.parse(old) as Record<string, unknown>) : undefined, value);
      this.storage.setItem(key, JSON.stringify(merged));
    }
    for (const key of batch.del) this.storage.removeItem(key);
  }

  async destroy(prefix: string): Promise<void> {
    for (const key of this.keys(prefix)) this.storage.removeItem(key);
  }

  private keys(prefix: string): string[] {
    const full = prefix.startsWith(this.root) ? prefix : this.root + prefix;
    const keys: string[] = [];
    for (let i = 0; i < this.storage.length; i++) {
      const key = this.storage.key(i);
      if (key !== null && key.startsWith(full)) keys.push(key);
    }
    return keys;
  }
}

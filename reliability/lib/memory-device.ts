import { mergeRecords, type KeyValueBackend, type WriteBatch } from '../../src/store/key-value-backend';
import type { SessionRecord } from '../../src/store/records';
import type { StoreBackends } from '../../src/store/store';

/**
 * A device's storage kept in memory: what the client core would write to
 * localStorage/IndexedDB, without the recording the unit tests need (long
 * runs write tens of thousands of batches).
 */
export class MemoryDeviceBackend implements KeyValueBackend {
  readonly data = new Map<string, unknown>();
  constructor(readonly kind: 'localStorage' | 'indexedDB') {}

  async readAll(prefix: string): Promise<[string, unknown][]> {
    return [...this.data].filter(([key]) => key.startsWith(prefix));
  }

  async write(batch: WriteBatch): Promise<void> {
    for (const [key, value] of batch.set) this.data.set(key, value);
    for (const [key, value] of batch.merge) this.data.set(key, mergeRecords(this.data.get(key) as Record<string, unknown> | undefined, value));
    for (const key of batch.del) this.data.delete(key);
  }

  async destroy(prefix: string): Promise<void> {
    for (const key of [...this.data.keys()]) if (key.startsWith(prefix)) this.data.delete(key);
  }
}

/**
 * A device already signed in with a seeded session token (trusted mode), so
 * the core logs in by token and no scrypt runs.
 */
export function signedInDevice(user: { id: string; username: string; displayName: string }, sessionToken: string): StoreBackends {
  const local = new MemoryDeviceBackend('localStorage');
  const session: SessionRecord = { id: 'current', user, sessionToken, publicComputer: false, expiresAt: Date.now() + 86_400_000 };
  local.data.set('tidings:session', session);
  return { local, indexed: new MemoryDeviceBackend('indexedDB') };
}

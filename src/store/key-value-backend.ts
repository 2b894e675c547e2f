/**
 * A persistence backend as the store sees it: read everything under a key
 * prefix, write one batch (one transaction where the backend has them), and
 * remove what it made. `merge` entries are objects merged key by key into
 * what is stored, so two tabs writing the same history chunk keep both.
 */
export interface WriteBatch {
  set: [string, unknown][];
  merge: [string, Record<string, unknown>][];
  del: string[];
}

export interface KeyValueBackend {
  readonly kind: 'localStorage' | 'indexedDB' | 'memory';
  readAll(prefix: string): Promise<[string, unknown][]>;
  /** The keys under a prefix without their values (optional: see listKeys/readKeys in backend-reads.ts). */
  listKeys?(prefix: string): Promise<string[]>;
  /** The values of exactly these keys; missing keys are left out. */
  readKeys?(keys: string[]): Promise<[string, unknown][]>;
  write(batch: WriteBatch): Promise<void>;
  /** Removes every key under the prefix, or everything this backend made when prefix is empty. */
  destroy(prefix: string): Promise<void>;
}

export function emptyBatch(): WriteBatch {
  return { set: [], merge: [], del: [] };
}

export function isEmptyBatch(batch: WriteBatch): boolean {
  return batch.set.length === 0 && batch.merge.length === 0 && batch.del.length === 0;
}

/** Browsers name it QuotaExceededError (code 22; Firefox NS_ERROR_DOM_QUOTA_REACHED, 1014). */
export function isQuotaError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || code === 22 || code === 1014;
}

/** Keeps nothing: the public-computer mode and an account not yet chosen. */
export class MemoryBackend implements KeyValueBackend {
  readonly kind = 'memory' as const;
  async readAll(): Promise<[string, unknown][]> {
    return [];
  }
  async listKeys(): Promise<string[]> {
    return [];
  }
  async readKeys(): Promise<[string, unknown][]> {
    return [];
  }
  async write(): Promise<void> {}
  async destroy(): Promise<void> {}
}

/**
 * How a `merge` combines a stored object with the written one, key by key:
 * the written value wins, except over a copy of the same record with a
 * higher `revision` (a history chunk's message that another tab stored
 * after an edit or a deletion). So a tab holding an older copy can never
 * write back a text that a deletion erased.
 */
export function mergeRecords(stored: Record<string, unknown> | undefined, written: Record<string, unknown>): Record<string, unknown> {
  if (!stored) return written;
  const out: Record<string, unknown> = { ...stored };
  for (const [key, value] of Object.entries(written)) {
    if (!isNewerCopy(stored[key], value)) out[key] = value;
  }
  return out;
}

function isNewerCopy(stored: unknown, written: unknown): boolean {
  if (typeof stored !== 'object' || stored === null || typeof written !== 'object' || written === null) return false;
  const a = stored as { id?: unknown; revision?: unknown };
  const b = written as { id?: unknown; revision?: unknown };
  return a.id === b.id && typeof a.revision === 'number' && (typeof b.revision !== 'number' || a.revision > b.revision);
}

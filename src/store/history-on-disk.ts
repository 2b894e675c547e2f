import type { Message } from '../protocol';
import type { StoredEntry } from './records';
import { upgradeStoredEntry, type V1Message } from './record-upgrades';
import { listKeys, readKeys } from './backend-reads';
import { ChunkCatalogue, type ChunkRef } from './chunk-catalogue';
import type { KeyValueBackend } from './key-value-backend';
import { chunkKey, chunkOf, chunkPrefix, parseChunkKey } from './key-layout';

/**
 * The history chunks in IndexedDB as the store reads them lazily: which are
 * not read yet (the catalogue), reads of several chunks in one transaction,
 * and one conversation's reads in turn. `forget()` (the logout wipe) makes
 * every read still in flight answer null, so none brings the old account back.
 */
export class HistoryOnDisk {
  readonly catalogue = new ChunkCatalogue();
  private readonly queues = new Map<string, Promise<number>>();
  private generation = 0;

  constructor(private readonly backend: KeyValueBackend) {}

  /** Identifies reads begun now; compare with `isCurrent` when they answer. */
  get epoch(): number {
    return this.generation;
  }

  isCurrent(epoch: number): boolean {
    return epoch === this.generation;
  }

  /** The account's chunks on disk, by key only (no value is read). */
  async survey(userId: string): Promise<ChunkRef[]> {
    const keys = await listKeys(this.backend, chunkPrefix(userId));
    return keys.map((key) => parseChunkKey(userId, key)).filter((c) => c !== null);
  }

  /** The entries of these chunks (one transaction; version-1 records upgraded), or null when `forget()` came between. */
  async read(userId: string, chunks: ChunkRef[], epoch: number): Promise<StoredEntry[] | null> {
    if (chunks.length === 0) return [];
    const entries = await readKeys(this.backend, chunks.map((c) => chunkKey(userId, c.conversationId, c.chunk)));
    if (!this.isCurrent(epoch)) return null;
    for (const c of chunks) this.catalogue.markRead(c.conversationId, c.chunk);
    return entries.flatMap(([, value]) => Object.values(value as Record<string, StoredEntry | V1Message>).map(upgradeStoredEntry));
  }

  /**
   * Writes newer revisions of messages into the chunks not read yet that
   * hold them (an edit or a deletion arrived for a message only on disk),
   * so the old text does not stay on the device. Only messages the chunk
   * holds are written, and the merge keeps the higher revision
   * (mergeRecords), so a chunk read or written meanwhile by any tab is safe.
   */
  async patchUnread(userId: string, targets: Message[], epoch: number): Promise<void> {
    const byKey = new Map<string, Message[]>();
    for (const target of targets) {
      const key = chunkKey(userId, target.conversationId, chunkOf(target.seq));
      byKey.set(key, [...(byKey.get(key) ?? []), target]);
    }
    const stored = await readKeys(this.backend, [...byKey.keys()]);
    if (!this.isCurrent(epoch)) return;
    const merge: [string, Record<string, unknown>][] = [];
    for (const [key, value] of stored) {
      const held = value as Record<string, StoredEntry | V1Message>;
      const newer = byKey.get(key)!.filter((t) => {
        const old = held[t.id];
        return old !== undefined && upgradeStoredEntry(old).kind === 'message' && (upgradeStoredEntry(old) as Message).revision < t.revision;
      });
      if (newer.length) merge.push([key, Object.fromEntries(newer.map((t) => [t.id, t]))]);
    }
    if (merge.length) await this.backend.write({ set: [], merge, del: [] });
  }

  /** Whether the chunk holding this seq is on disk and not read into memory yet. */
  holdsUnread(conversationId: string, seq: number): boolean {
    return this.catalogue.unreadChunks(conversationId).includes(chunkOf(seq));
  }

  /** Runs `read` after the conversation's previous one settled, so two never read the same chunk. */
  inTurn(conversationId: string, read: () => Promise<number>): Promise<number> {
    const previous = this.queues.get(conversationId) ?? Promise.resolve(0);
    const run = previous.catch(() => 0).then(read);
    const settled = run.finally(() => {
      if (this.queues.get(conversationId) === settled) this.queues.delete(conversationId);
    });
    this.queues.set(conversationId, settled);
    return settled;
  }

  /** Every chunk not read yet. */
  unread(): ChunkRef[] {
    return this.catalogue.conversations().flatMap((conversationId) => this.catalogue.unreadChunks(conversationId).map((chunk) => ({ conversationId, chunk })));
  }

  forget(): void {
    this.generation++;
    this.catalogue.clear();
    this.queues.clear();
  }
}

import type { Message } from '../protocol';
import { listKeys, readKeys } from './backend-reads';
import { ChunkCatalogue, type ChunkRef } from './chunk-catalogue';
import type { KeyValueBackend } from './key-value-backend';
import { chunkKey, chunkPrefix, parseChunkKey } from './key-layout';

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

  /** The messages of these chunks (one transaction), or null when `forget()` came between. */
  async read(userId: string, chunks: ChunkRef[], epoch: number): Promise<Message[] | null> {
    if (chunks.length === 0) return [];
    const entries = await readKeys(this.backend, chunks.map((c) => chunkKey(userId, c.conversationId, c.chunk)));
    if (!this.isCurrent(epoch)) return null;
    for (const c of chunks) this.catalogue.markRead(c.conversationId, c.chunk);
    return entries.flatMap(([, value]) => Object.values(value as Record<string, Message>));
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

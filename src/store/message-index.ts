import { CHUNK_SIZE, chunkOf } from './key-layout';

/** What the index needs of an entry: where it sits in the log. */
export type Placed = { id: string; conversationId: string; seq: number };

/**
 * Per-conversation index of stored entries (of every kind) by seq, so the store can answer
 * "messages of this conversation, in order", assemble a history chunk, and
 * walk the contiguous run that advances a sync position. Every kind of
 * entry is indexed, so an edit or a reaction fills its seq like a message.
 */
export class MessageIndex {
  private readonly bySeq = new Map<string, Map<number, string>>();

  add(message: Placed): void {
    let seqs = this.bySeq.get(message.conversationId);
    if (!seqs) this.bySeq.set(message.conversationId, (seqs = new Map()));
    seqs.set(message.seq, message.id);
  }

  remove(message: Placed): void {
    const seqs = this.bySeq.get(message.conversationId);
    if (seqs?.get(message.seq) === message.id) seqs.delete(message.seq);
  }

  clear(): void {
    this.bySeq.clear();
  }

  idAt(conversationId: string, seq: number): string | undefined {
    return this.bySeq.get(conversationId)?.get(seq);
  }

  /** Ids in seq order. */
  ids(conversationId: string): string[] {
    const seqs = this.bySeq.get(conversationId);
    if (!seqs) return [];
    return [...seqs.entries()].sort((a, b) => a[0] - b[0]).map(([, id]) => id);
  }

  seqs(conversationId: string): number[] {
    return [...(this.bySeq.get(conversationId)?.keys() ?? [])].sort((a, b) => a - b);
  }

  conversations(): string[] {
    return [...this.bySeq.keys()];
  }

  /** Ids stored in one chunk of a conversation. */
  chunkIds(conversationId: string, chunk: number): string[] {
    const seqs = this.bySeq.get(conversationId);
    if (!seqs) return [];
    const ids: string[] = [];
    for (let seq = chunk * CHUNK_SIZE + 1; seq <= (chunk + 1) * CHUNK_SIZE; seq++) {
      const id = seqs.get(seq);
      if (id !== undefined) ids.push(id);
    }
    return ids;
  }

  /** The highest seq held of a conversation. */
  newestSeq(conversationId: string): number | undefined {
    const seqs = this.bySeq.get(conversationId);
    if (!seqs || seqs.size === 0) return undefined;
    let max = -Infinity;
    for (const seq of seqs.keys()) if (seq > max) max = seq;
    return max;
  }

  /** The highest seq reachable from `from` with no gap. */
  contiguousFrom(conversationId: string, from: number): number {
    const seqs = this.bySeq.get(conversationId);
    let seq = from;
    while (seqs?.has(seq + 1)) seq++;
    return seq;
  }

  /** Chunk numbers of a conversation. */
  chunks(conversationId: string): number[] {
    return [...new Set(this.seqs(conversationId).map(chunkOf))];
  }
}

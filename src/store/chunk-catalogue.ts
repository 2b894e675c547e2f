import type { Conversation } from '../protocol';
import { CHUNK_SIZE, chunkOf } from './key-layout';
import type { SyncPosition } from './records';

/** One history chunk of one conversation. */
export interface ChunkRef {
  conversationId: string;
  chunk: number;
}

/** Stretch of seqs an unread count examines (a badge past it says "99+" anyway); the first paint reads the chunks it covers. */
export const UNREAD_SCAN_LIMIT = 999;

/**
 * Which history chunks are on disk and not yet read into memory, per
 * conversation. A cold start reads only what the conversation list needs
 * (`firstPaintChunks`); the rest is read newest first when a conversation is
 * opened or scrolled back (`Store.loadStoredHistory`), so memory always holds
 * a conversation's newest chunks and never a stretch with unread chunks above it.
 */
export class ChunkCatalogue {
  /** Ascending chunk numbers per conversation. */
  private readonly unread = new Map<string, number[]>();
  private readonly read = new Set<string>();

  /** Records what the disk holds now; chunks this tab already read stay read. */
  setOnDisk(chunks: ChunkRef[]): void {
    this.unread.clear();
    for (const { conversationId, chunk } of chunks) {
      if (this.read.has(slot(conversationId, chunk))) continue;
      let list = this.unread.get(conversationId);
      if (!list) this.unread.set(conversationId, (list = []));
      list.push(chunk);
    }
    for (const list of this.unread.values()) list.sort((a, b) => a - b);
  }

  markRead(conversationId: string, chunk: number): void {
    this.read.add(slot(conversationId, chunk));
    const list = this.unread.get(conversationId);
    const at = list?.indexOf(chunk) ?? -1;
    if (list && at >= 0) list.splice(at, 1);
    if (list?.length === 0) this.unread.delete(conversationId);
  }

  /**
   * The newest chunks not read yet that can hold `minMessages`, newest first
   * (at least one): each holds at most CHUNK_SIZE, the one of `newestSeq`
   * fewer. Read together, they reach memory as one change, so a list opening
   * on them renders once.
   */
  newestUnread(conversationId: string, minMessages: number, newestSeq = Infinity): number[] {
    const list = this.unread.get(conversationId) ?? [];
    const out: number[] = [];
    let room = 0;
    for (let i = list.length - 1; i >= 0 && (out.length === 0 || room < minMessages); i--) {
      out.push(list[i]!);
      room += Math.max(1, Math.min(CHUNK_SIZE, newestSeq - list[i]! * CHUNK_SIZE));
    }
    return out;
  }

  unreadChunks(conversationId: string): number[] {
    return this.unread.get(conversationId) ?? [];
  }

  conversations(): string[] {
    return [...this.unread.keys()];
  }

  /** Chunks already read into memory (a re-load reads them again for another tab's additions). */
  readChunks(): ChunkRef[] {
    return [...this.read].map((key) => {
      const at = key.lastIndexOf('\u0000');
      return { conversationId: key.slice(0, at), chunk: Number(key.slice(at + 1)) };
    });
  }

  isEmpty(): boolean {
    return this.unread.size === 0;
  }

  clear(): void {
    this.unread.clear();
    this.read.clear();
  }
}

/**
 * The chunks the conversation list needs to be right at once: those holding
 * the seqs an unread count examines (past my read position, at most
 * UNREAD_SCAN_LIMIT back), and the newest chunk of a conversation with no
 * stored head (data written before heads existed).
 */
export function firstPaintChunks(
  catalogue: ChunkCatalogue,
  conversation: (id: string) => Conversation | undefined,
  position: (id: string) => SyncPosition,
  hasHead: (id: string) => boolean,
): ChunkRef[] {
  const out: ChunkRef[] = [];
  for (const conversationId of catalogue.conversations()) {
    const chunks = catalogue.unreadChunks(conversationId);
    const record = conversation(conversationId);
    const top = Math.max(record?.latestSeq ?? 0, position(conversationId).syncedSeq);
    const readSeq = record?.myReadSeq ?? 0;
    let from = Infinity;
    if (record && top > readSeq) from = chunkOf(Math.max(readSeq, top - UNREAD_SCAN_LIMIT) + 1);
    if (!hasHead(conversationId)) from = Math.min(from, chunks.at(-1)!);
    for (const chunk of chunks) if (chunk >= from) out.push({ conversationId, chunk });
  }
  return out;
}

function slot(conversationId: string, chunk: number): string {
  return `${conversationId}\u0000${chunk}`;
}

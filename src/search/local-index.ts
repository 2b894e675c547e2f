import MiniSearch from 'minisearch';
import { foldForSearch, isPrefixWord, queryWords, searchWords, type Message } from '../protocol';
import type { StoredEntry } from '../store/records';

/** One local match: the message's id, conversation, seq and time, enough to sort and to open it. */
export interface LocalHit {
  id: string;
  conversationId: string;
  seq: number;
  sentAt: number;
}

/** Messages indexed per idle slice while the index is first built. */
export const BUILD_SLICE = 2000;

type Doc = { id: string; body: string; conversationId: string; seq: number; sentAt: number };

/**
 * The device's own search index (docs/CLIENT.md, "Search"): every message
 * the store holds, in memory only (so nothing of it outlives a public
 * computer's tab), matched like the server's index (src/protocol/search.ts):
 * the query's words folded for case and accents, each a prefix when it has
 * two characters or more, all of them required. Only a message's current
 * text is indexed: an edit replaces it, a deletion removes it.
 */
export class LocalSearchIndex {
  private readonly mini = new MiniSearch<Doc>({
    fields: ['body'],
    storeFields: ['conversationId', 'seq', 'sentAt'],
    tokenize: (text) => searchWords(text),
    processTerm: (term) => foldForSearch(term),
  });
  /** The text each indexed message was indexed with (MiniSearch's discard needs none, but a changed text must be re-added). */
  private readonly texts = new Map<string, string>();

  get size(): number {
    return this.texts.size;
  }

  /** Adds, replaces or removes one stored entry as it is now; entries other than messages are ignored. */
  put(entry: StoredEntry): void {
    if (entry.kind !== 'message') return;
    const message = entry as Message;
    const text = message.deletedAt === null && message.body !== '' ? message.body : null;
    const indexed = this.texts.get(message.id);
    if (indexed === text) return;
    if (indexed !== undefined) {
      this.mini.discard(message.id);
      this.texts.delete(message.id);
    }
    if (text === null) return;
    this.mini.add({ id: message.id, body: text, conversationId: message.conversationId, seq: message.seq, sentAt: message.sentAt });
    this.texts.set(message.id, text);
  }

  remove(id: string): void {
    if (!this.texts.delete(id)) return;
    this.mini.discard(id);
  }

  /** Matches of the query, newest first (by sentAt, by seq within a conversation), at most `limit`. */
  search(query: string, options: { conversationId?: string; limit: number }): LocalHit[] {
    const words = queryWords(query);
    if (words.length === 0) return [];
    const results = this.mini.search(
      { combineWith: 'AND', queries: words.map((w) => ({ queries: [w], prefix: isPrefixWord(w), combineWith: 'AND' })) } as never,
      options.conversationId === undefined ? {} : { filter: (r) => r['conversationId'] === options.conversationId },
    );
    return results
      .map((r) => ({ id: String(r.id), conversationId: r['conversationId'] as string, seq: r['seq'] as number, sentAt: r['sentAt'] as number }))
      .sort(newestFirst)
      .slice(0, options.limit);
  }
}

export function newestFirst(a: { sentAt: number; seq: number; conversationId: string }, b: { sentAt: number; seq: number; conversationId: string }): number {
  return b.sentAt - a.sentAt || (a.conversationId === b.conversationId ? b.seq - a.seq : 0);
}

/**
 * Indexes `entries` in slices of BUILD_SLICE between which the page may
 * paint and handle input (requestIdleCallback where the browser has it, a
 * timer elsewhere). Resolves when all are in; `cancelled()` stops it early.
 */
export async function buildInSlices(index: LocalSearchIndex, entries: readonly StoredEntry[], cancelled: () => boolean = () => false): Promise<void> {
  for (let i = 0; i < entries.length; i += BUILD_SLICE) {
    if (cancelled()) return;
    for (const entry of entries.slice(i, i + BUILD_SLICE)) index.put(entry);
    await idle();
  }
}

function idle(): Promise<void> {
  const g = globalThis as { requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => void };
  return new Promise((resolve) => (g.requestIdleCallback ? g.requestIdleCallback(() => resolve(), { timeout: 100 }) : setTimeout(resolve, 0)));
}

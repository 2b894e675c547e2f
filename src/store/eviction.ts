import type { SchemaName } from './schemas';
import type { DirtySet } from './dirty-set';
import type { MessageIndex } from './message-index';
import type { SchemaRecords, StoredEntry } from './records';

type Tables = { [S in SchemaName]: Map<string, SchemaRecords[S]> };

/** Share of the stored history dropped per quota error. */
const EVICT_SHARE = 0.25;

/**
 * Makes room when the disk is full: drops the oldest history chunks (by
 * their newest message's time) until a quarter of the stored messages are
 * gone. The outbox is never touched; dropped history can be paged back from
 * the server. Returns the removed message ids and the conversations whose
 * sync position moved.
 */
export function evictOldestHistory(tables: Tables, index: MessageIndex, dirty: DirtySet): { ids: string[]; conversations: string[] } {
  const chunks: { conversationId: string; chunk: number; ids: string[]; newest: number }[] = [];
  for (const conversationId of index.conversations()) {
    for (const chunk of index.chunks(conversationId)) {
      const ids = index.chunkIds(conversationId, chunk);
      const newest = Math.max(...ids.map((id) => tables.messages.get(id)?.sentAt ?? 0));
      chunks.push({ conversationId, chunk, ids, newest });
    }
  }
  chunks.sort((a, b) => a.newest - b.newest || a.chunk - b.chunk);
  const target = Math.max(1, Math.ceil(tables.messages.size * EVICT_SHARE));
  const removed: string[] = [];
  const conversations = new Set<string>();
  for (const chunk of chunks) {
    if (removed.length >= target) break;
    for (const id of chunk.ids) {
      const message = tables.messages.get(id) as StoredEntry;
      index.remove(message);
      tables.messages.delete(id);
      dirty.markRemoved('messages', id, message);
      removed.push(id);
    }
    conversations.add(chunk.conversationId);
  }
  for (const conversationId of conversations) {
    const position = tables.meta.get(conversationId);
    if (!position) continue;
    // The stored range now starts above the highest evicted seq below syncedSeq.
    let oldestSeq = position.syncedSeq + 1;
    while (oldestSeq > position.oldestSeq && index.idAt(conversationId, oldestSeq - 1) !== undefined) oldestSeq--;
    tables.meta.set(conversationId, { ...position, oldestSeq });
    dirty.mark('meta', conversationId, null);
  }
  return { ids: removed, conversations: [...conversations] };
}

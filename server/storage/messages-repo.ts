import type { Entry } from '../../src/protocol/index';
import type { Db } from './database';
import { ENTRY_SELECT, entryOfRow, type EntryRow } from './entry-rows.mjs';

/**
 * What a member may see of a conversation's log (docs/PROTOCOL.md section 8):
 * entries from the seq they joined at (`floor`, their joinedSeq), and of
 * those not an edit, deletion or reaction whose message is older than that
 * (its `target` would show it). SQL, so that a page counts only what it serves.
 */
const VISIBLE = 'm.seq >= ? AND (m.target_id IS NULL OR t.seq >= ?)';

/** Reading entries (every kind, messages as they are now): pages by seq, `ids`, and the idempotency lookup. */
export class MessagesRepo {
  private readonly afterStmt;
  private readonly beforeStmt;
  private readonly betweenStmt;
  private readonly byIdStmt;
  private readonly idempotencyStmt;
  private readonly quietStmt;
  private readonly countStmt;

  constructor(db: Db) {
    this.afterStmt = db.prepare(`${ENTRY_SELECT} WHERE m.conversation_id = ? AND m.seq > ? AND ${VISIBLE} ORDER BY m.seq ASC LIMIT ?`);
    this.beforeStmt = db.prepare(`${ENTRY_SELECT} WHERE m.conversation_id = ? AND m.seq < ? AND ${VISIBLE} ORDER BY m.seq DESC LIMIT ?`);
    this.betweenStmt = db.prepare(
      `${ENTRY_SELECT} WHERE m.conversation_id = ? AND m.seq > ? AND m.seq < ? AND ${VISIBLE} ORDER BY m.seq ASC LIMIT ?`,
    );
    this.byIdStmt = db.prepare(`${ENTRY_SELECT} WHERE m.id = ? AND m.conversation_id = ? AND ${VISIBLE}`);
    this.idempotencyStmt = db.prepare(`${ENTRY_SELECT} WHERE m.sender_id = ? AND m.client_message_id = ?`);
    this.quietStmt = db.prepare(
      'SELECT conversation_id AS conversationId, kind, target_id AS targetId FROM quiet_commands WHERE sender_id = ? AND client_message_id = ?',
    );
    this.countStmt = db.prepare("SELECT conversation_id AS conversationId, COUNT(*) AS n FROM messages WHERE kind = 'message' GROUP BY conversation_id");
  }

  /*
   * Pages are read lazily, one row at a time, up to `rows`: the reader takes
   * what fits its reply (MAX_REPLY_BYTES) and stops, so a page of long
   * bodies reads about as many of them as it sends, not all 500 (12 MB).
   * Asking for one row more than the page holds tells whether more exist.
   * Nothing else may run on the connection until the iteration ends.
   * `floor` is the reader's joinedSeq (1 for founders).
   */

  /** Entries after `afterSeq`, ascending (the oldest first). */
  after(conversationId: string, afterSeq: number, rows: number, floor = 1): IterableIterator<Entry> {
    return entries(this.afterStmt.iterate(conversationId, afterSeq, floor, floor, rows) as IterableIterator<EntryRow>);
  }

  /** Entries before `beforeSeq`, DESCENDING (the newest first: the end a page back is anchored at). */
  before(conversationId: string, beforeSeq: number, rows: number, floor = 1): IterableIterator<Entry> {
    return entries(this.beforeStmt.iterate(conversationId, beforeSeq, floor, floor, rows) as IterableIterator<EntryRow>);
  }

  /** Entries strictly between the two seqs, ascending. */
  between(conversationId: string, afterSeq: number, beforeSeq: number, rows: number, floor = 1): IterableIterator<Entry> {
    return entries(this.betweenStmt.iterate(conversationId, afterSeq, beforeSeq, floor, floor, rows) as IterableIterator<EntryRow>);
  }

  /** The entries of this conversation among `ids` that a reader with this floor may see, in the order asked, each once. */
  byIds(conversationId: string, ids: readonly string[], floor = 1): Entry[] {
    const out: Entry[] = [];
    for (const id of new Set(ids)) {
      const row = this.byIdStmt.get(id, conversationId, floor, floor) as EntryRow | undefined;
      if (row) out.push(entryOfRow(row));
    }
    return out;
  }

  /** The entry a sender stored with this clientMessageId, as it is now. */
  findByClientId(senderId: string, clientMessageId: string): Entry | undefined {
    const row = this.idempotencyStmt.get(senderId, clientMessageId) as EntryRow | undefined;
    return row ? entryOfRow(row) : undefined;
  }

  /** A command of this sender's that changed nothing (no entry), if this clientMessageId was one. */
  findQuiet(senderId: string, clientMessageId: string): { conversationId: string; kind: Entry['kind']; targetId: string | null } | undefined {
    return this.quietStmt.get(senderId, clientMessageId) as { conversationId: string; kind: Entry['kind']; targetId: string | null } | undefined;
  }

  /** One message of a conversation as it is now (no floor: for answers the writer already allowed). */
  message(conversationId: string, id: string): Entry | undefined {
    const row = this.byIdStmt.get(id, conversationId, 1, 1) as EntryRow | undefined;
    return row ? entryOfRow(row) : undefined;
  }

  countsByConversation(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const row of this.countStmt.all() as { conversationId: string; n: number }[]) out[row.conversationId] = row.n;
    return out;
  }
}

function* entries(rows: IterableIterator<EntryRow>): IterableIterator<Entry> {
  for (const row of rows) yield entryOfRow(row);
}

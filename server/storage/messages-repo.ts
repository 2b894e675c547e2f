import type { Message } from '../../src/protocol/index';
import type { Db } from './database';

const COLUMNS = `id, conversation_id AS conversationId, seq, sender_id AS senderId,
  client_message_id AS clientMessageId, body, sent_at AS sentAt`;

/** Reading messages: pages by seq, and the idempotency lookup. */
export class MessagesRepo {
  private readonly afterStmt;
  private readonly beforeStmt;
  private readonly betweenStmt;
  private readonly idempotencyStmt;
  private readonly countStmt;

  constructor(db: Db) {
    this.afterStmt = db.prepare(
      `SELECT ${COLUMNS} FROM messages WHERE conversation_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?`,
    );
    this.beforeStmt = db.prepare(
      `SELECT ${COLUMNS} FROM messages WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
    );
    this.betweenStmt = db.prepare(
      `SELECT ${COLUMNS} FROM messages WHERE conversation_id = ? AND seq > ? AND seq < ? ORDER BY seq ASC LIMIT ?`,
    );
    this.idempotencyStmt = db.prepare(`SELECT ${COLUMNS} FROM messages WHERE sender_id = ? AND client_message_id = ?`);
    this.countStmt = db.prepare('SELECT conversation_id AS conversationId, COUNT(*) AS n FROM messages GROUP BY conversation_id');
  }

  /*
   * Pages are read lazily, one row at a time, up to `rows`: the reader takes
   * what fits its reply (MAX_REPLY_BYTES) and stops, so a page of long
   * bodies reads about as many of them as it sends, not all 500 (12 MB).
   * Asking for one row more than the page holds tells whether more exist.
   * Nothing else may run on the connection until the iteration ends.
   */

  /** Messages after `afterSeq`, ascending (the oldest first). */
  after(conversationId: string, afterSeq: number, rows: number): IterableIterator<Message> {
    return this.afterStmt.iterate(conversationId, afterSeq, rows) as IterableIterator<Message>;
  }

  /** Messages before `beforeSeq`, DESCENDING (the newest first: the end a page back is anchored at). */
  before(conversationId: string, beforeSeq: number, rows: number): IterableIterator<Message> {
    return this.beforeStmt.iterate(conversationId, beforeSeq, rows) as IterableIterator<Message>;
  }

  /** Messages strictly between the two seqs, ascending. */
  between(conversationId: string, afterSeq: number, beforeSeq: number, rows: number): IterableIterator<Message> {
    return this.betweenStmt.iterate(conversationId, afterSeq, beforeSeq, rows) as IterableIterator<Message>;
  }

  findByClientId(senderId: string, clientMessageId: string): Message | undefined {
    return this.idempotencyStmt.get(senderId, clientMessageId) as Message | undefined;
  }

  countsByConversation(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const row of this.countStmt.all() as { conversationId: string; n: number }[]) out[row.conversationId] = row.n;
    return out;
  }
}

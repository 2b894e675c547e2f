import type { Message } from '../../src/protocol/index';
import type { Db } from './database';

const COLUMNS = `id, conversation_id AS conversationId, seq, sender_id AS senderId,
  client_message_id AS clientMessageId, body, sent_at AS sentAt`;

export interface MessagePage {
  messages: Message[];
  hasMore: boolean;
}

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

  /** The oldest `limit` messages after `afterSeq`, ascending. */
  after(conversationId: string, afterSeq: number, limit: number): MessagePage {
    const rows = this.afterStmt.all(conversationId, afterSeq, limit + 1) as Message[];
    return { messages: rows.slice(0, limit), hasMore: rows.length > limit };
  }

  /** The newest `limit` messages before `beforeSeq`, returned ascending; hasMore means older ones exist. */
  before(conversationId: string, beforeSeq: number, limit: number): MessagePage {
    const rows = this.beforeStmt.all(conversationId, beforeSeq, limit + 1) as Message[];
    return { messages: rows.slice(0, limit).reverse(), hasMore: rows.length > limit };
  }

  /** The oldest `limit` messages strictly between the two seqs, ascending. */
  between(conversationId: string, afterSeq: number, beforeSeq: number, limit: number): MessagePage {
    const rows = this.betweenStmt.all(conversationId, afterSeq, beforeSeq, limit + 1) as Message[];
    return { messages: rows.slice(0, limit), hasMore: rows.length > limit };
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

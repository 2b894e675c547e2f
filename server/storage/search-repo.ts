import type { Message } from '../../src/protocol/index';
import { isPrefixWord } from '../../src/protocol/index';
import type { Db } from './database';
import { messageOfRow } from './entry-rows.mjs';

/** What one search found: messages newest first, whether more exist, and for one conversation where the next page starts. */
export interface SearchPage {
  messages: Message[];
  hasMore: boolean;
  /** With a conversation and hasMore: the beforeSeq of the next page. */
  nextBeforeSeq?: number;
}

export interface SearchQuery {
  userId: string;
  /** Folded query words (src/protocol/search.ts queryWords). */
  words: readonly string[];
  conversationId?: string;
  beforeSeq?: number;
  /** Messages wanted (the page is one more, to tell hasMore). */
  limit: number;
  /** Most index matches examined before the page ends with hasMore (bounds one query's work). */
  scanLimit: number;
}

/**
 * The FTS5 MATCH expression of the query's words: each quoted as a string
 * (so no user text is ever read as FTS5 syntax; a word is letters, digits
 * and marks and holds no quote), a prefix query when it has two characters
 * or more, joined by spaces, which FTS5 reads as AND.
 */
export function matchExpression(words: readonly string[]): string {
  return words.map((w) => `"${w.replaceAll('"', '""')}"${isPrefixWord(w) ? '*' : ''}`).join(' ');
}

/**
 * Reads the search index (the tables and triggers of migrations.ts). The
 * index is walked newest first (rowid descending: the order messages were
 * stored in, seq order within a conversation) and each match is kept when
 * the caller may see it: a member of its conversation, at or after the seq
 * they joined at. The walk stops at `limit + 1` kept matches or after
 * `scanLimit` matches examined, so a word that is common in other people's
 * conversations costs a bounded amount of work; the page then says hasMore.
 */
export class SearchRepo {
  private readonly walkStmt;
  private readonly floorsStmt;
  private readonly boundStmt;
  private readonly resumeStmt;
  private readonly messageStmt;

  constructor(db: Db) {
    this.walkStmt = db.prepare(
      `SELECT d.rowid AS r, d.conversation_id AS c, d.seq AS s FROM search_text f JOIN search_docs d ON d.rowid = f.rowid
       WHERE search_text MATCH ? AND f.rowid <= ? ORDER BY f.rowid DESC LIMIT ?`,
    );
    this.floorsStmt = db.prepare('SELECT conversation_id AS c, joined_seq AS j FROM members WHERE user_id = ?');
    this.boundStmt = db.prepare('SELECT rowid FROM search_docs WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC LIMIT 1').pluck();
    this.resumeStmt = db.prepare('SELECT seq FROM search_docs WHERE conversation_id = ? AND rowid < ? ORDER BY seq DESC LIMIT 1').pluck();
    this.messageStmt = db.prepare(
      `SELECT m.id, m.conversation_id AS conversationId, m.seq, m.sender_id AS senderId, m.client_message_id AS clientMessageId,
         m.body, m.sent_at AS sentAt, m.reply_to AS replyTo, m.edited_at AS editedAt, m.deleted_at AS deletedAt, m.revision, m.reactions
       FROM messages m WHERE m.conversation_id = ? AND m.seq = ?`,
    );
  }

  search(q: SearchQuery): SearchPage {
    const floors = new Map<string, number>();
    for (const row of this.floorsStmt.all(q.userId) as { c: string; j: number }[]) {
      if (q.conversationId === undefined || row.c === q.conversationId) floors.set(row.c, row.j);
    }
    if (floors.size === 0) return { messages: [], hasMore: false };
    let bound = Number.MAX_SAFE_INTEGER;
    if (q.conversationId !== undefined && q.beforeSeq !== undefined) {
      const rowid = this.boundStmt.get(q.conversationId, q.beforeSeq) as number | undefined;
      if (rowid === undefined) return { messages: [], hasMore: false };
      bound = rowid;
    }
    const found: { c: string; s: number }[] = [];
    let examined = 0;
    let lastRowid = bound;
    for (const row of this.walkStmt.iterate(matchExpression(q.words), bound, q.scanLimit) as IterableIterator<{ r: number; c: string; s: number }>) {
      examined++;
      lastRowid = row.r;
      const floor = floors.get(row.c);
      if (floor === undefined || row.s < floor) continue;
      if (q.beforeSeq !== undefined && row.s >= q.beforeSeq) continue;
      found.push({ c: row.c, s: row.s });
      if (found.length > q.limit) break; // leaving the loop ends the statement
    }
    const more = found.length > q.limit || examined >= q.scanLimit;
    const messages: Message[] = [];
    for (const { c, s } of found.slice(0, q.limit)) {
      const row = this.messageStmt.get(c, s) as Record<string, unknown> | undefined;
      if (row) messages.push(messageOfRow(row) as Message);
    }
    messages.sort((a, b) => b.sentAt - a.sentAt || (a.conversationId === b.conversationId ? b.seq - a.seq : 0));
    const page: SearchPage = { messages, hasMore: more };
    if (more && q.conversationId !== undefined) {
      const last = messages[messages.length - 1];
      // A full page resumes below its last message; a page cut by the scan limit below the last match examined.
      if (found.length > q.limit && last) page.nextBeforeSeq = last.seq;
      else {
        const seq = this.resumeStmt.get(q.conversationId, lastRowid) as number | undefined;
        if (seq === undefined) page.hasMore = false;
        else page.nextBeforeSeq = seq + 1;
      }
    }
    return page;
  }
}

import Database from 'better-sqlite3';
import type { MessageLog } from './socketio-server';

/**
 * The durable peer's storage, written as a Node developer would for a chat
 * app on better-sqlite3: one messages table, WAL with synchronous=NORMAL (an
 * acked message survives a crash of the process), and one INSERT per message
 * in its own implicit transaction, the seq computed in that statement from the
 * (conversation_id, seq) index. No group commit: better-sqlite3 is
 * synchronous, and the usual code calls `insert.get()` in the send handler
 * and acks after it returns. SQLite's default auto-checkpoint runs on the
 * event loop, inside the insert that crosses 1,000 WAL pages, as it does for
 * such code.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  sender_id TEXT NOT NULL,
  body TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  UNIQUE (conversation_id, seq)
)`;

export function openSqliteLog(path: string): MessageLog {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(SCHEMA);
  const insert = db.prepare<{ conversationId: string; senderId: string; body: string; sentAt: number }, { seq: number }>(
    `INSERT INTO messages (conversation_id, seq, sender_id, body, sent_at)
     VALUES (@conversationId, (SELECT COALESCE(MAX(seq), 0) + 1 FROM messages WHERE conversation_id = @conversationId), @senderId, @body, @sentAt)
     RETURNING seq`,
  );
  const latest = db.prepare<[string], { seq: number }>('SELECT COALESCE(MAX(seq), 0) AS seq FROM messages WHERE conversation_id = ?');
  return {
    append: (conversationId, senderId, body, sentAt) => insert.get({ conversationId, senderId, body, sentAt })!.seq,
    latest: (conversationId) => latest.get(conversationId)!.seq,
    close: () => db.close(),
  };
}

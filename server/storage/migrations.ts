import type { Db } from './database';

/**
 * Schema migrations, applied in order and recorded in `user_version`. Add a
 * new entry at the end; never edit one that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER
  );
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    public_computer INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL
  );
  CREATE INDEX sessions_user ON sessions(user_id);
  CREATE TABLE contacts (
    user_id TEXT NOT NULL REFERENCES users(id),
    contact_id TEXT NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, contact_id)
  ) WITHOUT ROWID;
  CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
    title TEXT NOT NULL,
    direct_key TEXT UNIQUE,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    latest_seq INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE members (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    delivered_seq INTEGER NOT NULL DEFAULT 0,
    read_seq INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, user_id)
  ) WITHOUT ROWID;
  CREATE INDEX members_user ON members(user_id);
  CREATE TABLE messages (
    conversation_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    id TEXT NOT NULL,
    sender_id TEXT NOT NULL,
    client_message_id TEXT NOT NULL,
    body TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, seq)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX messages_idempotency ON messages(sender_id, client_message_id);
  CREATE TABLE health_probe (id INTEGER PRIMARY KEY, at INTEGER NOT NULL);
  `,
  // The groups a user created in the last hour are counted on every creation (groupsPerHour).
  `
  CREATE INDEX conversations_creator ON conversations(created_by, created_at);
  `,
  // Version 2 (docs/PROTOCOL.md, sections 7a and 8): the first seq each member may see (founders 1),
  // and a group's owner (its creator at first; null for direct conversations).
  `
  ALTER TABLE members ADD COLUMN joined_seq INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE conversations ADD COLUMN owner_id TEXT;
  UPDATE conversations SET owner_id = created_by WHERE kind = 'group';
  `,
  // Version 2: a conversation is a log of entries (docs/PROTOCOL.md section 7,
  // docs/SERVER.md "Entries in the database"). Every entry is a row of
  // `messages`, in the conversation's one seq order; a message row is kept
  // as it is now (body, edited_at, deleted_at, revision, reactions), so a
  // page is one range scan and an edit, deletion or reaction entry stores
  // only what it did (its target's id and, in `detail`, the emoji and on of
  // a reaction, the added and removed of a members entry, the title of a
  // title entry), never a copy of a text. `reactions` is the message's
  // {emoji: [userId, ...]} as JSON (NULL: none), read with the row.
  // `messages_by_id` serves targets, replies and `ids`. `quiet_commands`
  // holds the commands that changed nothing (a reaction already on or off,
  // adding only members, the same title) so that their resends get the same
  // answer. `members.ord` is the order members joined in (kept by the
  // trigger): the longest-standing member is the lowest.
  `
  ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'message'
    CHECK (kind IN ('message', 'edit', 'delete', 'reaction', 'members', 'title'));
  ALTER TABLE messages ADD COLUMN reply_to TEXT;
  ALTER TABLE messages ADD COLUMN target_id TEXT;
  ALTER TABLE messages ADD COLUMN edited_at INTEGER;
  ALTER TABLE messages ADD COLUMN deleted_at INTEGER;
  ALTER TABLE messages ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE messages ADD COLUMN reactions TEXT;
  ALTER TABLE messages ADD COLUMN detail TEXT;
  UPDATE messages SET revision = seq;
  CREATE INDEX messages_by_id ON messages(id);
  CREATE TABLE quiet_commands (
    sender_id TEXT NOT NULL,
    client_message_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    target_id TEXT,
    PRIMARY KEY (sender_id, client_message_id)
  ) WITHOUT ROWID;
  ALTER TABLE members ADD COLUMN ord INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX members_ord ON members(conversation_id, ord);
  CREATE TRIGGER members_joined_order AFTER INSERT ON members BEGIN
    UPDATE members SET ord = (SELECT COALESCE(MAX(ord), 0) + 1 FROM members WHERE conversation_id = NEW.conversation_id)
    WHERE conversation_id = NEW.conversation_id AND user_id = NEW.user_id;
  END;
  `,
  // ---- Contacts by consent, blocks, and sessions one can list (docs/PROTOCOL.md sections 11-13) ----
  // The contacts table keeps meaning "accepted", so every row it held carries over as an accepted
  // contact. A request waits in contact_requests until answered; a declined (or silently dropped)
  // one stays, flagged, so its sender keeps seeing it as outgoing. Sessions get an id that names
  // them in GetSessionsCommand (random, unrelated to the token) and the client that made them.
  `
  CREATE TABLE contact_requests (
    from_id TEXT NOT NULL REFERENCES users(id),
    to_id TEXT NOT NULL REFERENCES users(id),
    declined INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (from_id, to_id)
  ) WITHOUT ROWID;
  CREATE INDEX contact_requests_to ON contact_requests(to_id, declined, from_id);
  CREATE TABLE blocks (
    blocker_id TEXT NOT NULL REFERENCES users(id),
    blocked_id TEXT NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
  ) WITHOUT ROWID;
  CREATE INDEX blocks_blocked ON blocks(blocked_id, blocker_id);
  ALTER TABLE sessions ADD COLUMN id TEXT;
  ALTER TABLE sessions ADD COLUMN client TEXT NOT NULL DEFAULT '';
  UPDATE sessions SET id = 's_' || lower(hex(randomblob(16))) WHERE id IS NULL;
  CREATE UNIQUE INDEX sessions_id ON sessions(id);
  `,
  // Search (docs/PROTOCOL.md section 10, docs/SERVER.md "Search"): a
  // full-text index of every message's current text. `search_docs` gives
  // each indexed message a rowid of its own (messages is WITHOUT ROWID),
  // kept for the message's life so that rowid order is the order messages
  // were stored in (seq order within a conversation). `search_text` is a
  // CONTENTLESS FTS5 table: it holds tokens only, never a copy of the text.
  // Its rows are removed with FTS5's 'delete' command given the old text,
  // and with 'secure-delete' on, FTS5 then removes that row's tokens from
  // the index b-tree itself instead of appending delete markers (which
  // would leave the old tokens in older segments until a merge); with the
  // connection's secure_delete pragma the freed bytes are zeroed. The
  // triggers keep it in step with `messages` inside whichever transaction
  // writes the message, the edit or the deletion (the writer's batch).
  // Existing messages are indexed here, oldest first.
  `
  CREATE TABLE search_docs (
    rowid INTEGER PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    sent_at INTEGER NOT NULL,
    UNIQUE (conversation_id, seq)
  );
  CREATE VIRTUAL TABLE search_text USING fts5(body, content = '', tokenize = 'unicode61 remove_diacritics 2');
  INSERT INTO search_text (search_text, rank) VALUES ('secure-delete', 1);
  INSERT INTO search_docs (conversation_id, seq, sent_at)
    SELECT conversation_id, seq, sent_at FROM messages WHERE kind = 'message' AND body <> '' ORDER BY sent_at, conversation_id, seq;
  INSERT INTO search_text (rowid, body)
    SELECT d.rowid, m.body FROM search_docs d JOIN messages m ON m.conversation_id = d.conversation_id AND m.seq = d.seq ORDER BY d.rowid;
  CREATE TRIGGER search_message_added AFTER INSERT ON messages WHEN NEW.kind = 'message' AND NEW.body <> '' BEGIN
    INSERT INTO search_docs (conversation_id, seq, sent_at) VALUES (NEW.conversation_id, NEW.seq, NEW.sent_at);
    INSERT INTO search_text (rowid, body)
      SELECT rowid, NEW.body FROM search_docs WHERE conversation_id = NEW.conversation_id AND seq = NEW.seq;
  END;
  CREATE TRIGGER search_message_changed AFTER UPDATE OF body ON messages WHEN NEW.kind = 'message' AND OLD.body IS NOT NEW.body BEGIN
    INSERT INTO search_text (search_text, rowid, body)
      SELECT 'delete', rowid, OLD.body FROM search_docs WHERE conversation_id = OLD.conversation_id AND seq = OLD.seq AND OLD.body <> '';
    DELETE FROM search_docs WHERE conversation_id = OLD.conversation_id AND seq = OLD.seq AND NEW.body = '';
    INSERT OR IGNORE INTO search_docs (conversation_id, seq, sent_at)
      SELECT NEW.conversation_id, NEW.seq, NEW.sent_at WHERE NEW.body <> '';
    INSERT INTO search_text (rowid, body)
      SELECT rowid, NEW.body FROM search_docs WHERE conversation_id = NEW.conversation_id AND seq = NEW.seq AND NEW.body <> '';
  END;
  CREATE TRIGGER search_message_removed AFTER DELETE ON messages WHEN OLD.kind = 'message' AND OLD.body <> '' BEGIN
    INSERT INTO search_text (search_text, rowid, body)
      SELECT 'delete', rowid, OLD.body FROM search_docs WHERE conversation_id = OLD.conversation_id AND seq = OLD.seq;
    DELETE FROM search_docs WHERE conversation_id = OLD.conversation_id AND seq = OLD.seq;
  END;
  `,
];

/** Applies the migrations not applied yet, up to `target` (all of them unless a test asks for an older schema). */
export function migrate(db: Db, target = MIGRATIONS.length): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < target; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

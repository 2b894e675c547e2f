import type { Db } from './database';

/**
 * Schema migrations, applied in order and recorded in `user_version`. Add a
 * new entry at the end; never edit one that has shipped.
 */
const MIGRATIONS: string[] = [
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
];

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

import { hashToken } from '../auth/tokens';
import type { Db } from './database';
import { newEntryId, newId } from './ids';

/**
 * Fast seeding for load tests, benchmarks and mock mode. Every function
 * writes straight to the database in one transaction and skips the
 * protocol, so preparing 20,000 accounts takes seconds:
 *
 *   const hash = await hashPassword('secret-pass', OWASP_SCRYPT); // once
 *   const seeder = new Seeder(server.db);               // or new Seeder(openDatabase(path, 'normal'))
 *   const ids = seeder.users(names.map((u) => ({ username: u, passwordHash: hash })));
 *   seeder.sessions(ids.map((userId, i) => ({ userId, token: tokens[i] })));  // then log in with {sessionToken}
 *   seeder.contacts([[ids[0], ids[1]]]);                // symmetric
 *   const conv = seeder.conversation({ memberIds: [ids[0], ids[1]] });   // direct when 2 members
 *   seeder.messages(conv, [{ senderId: ids[0], body: 'hi' }]);           // seqs continue from latestSeq
 *
 * Usernames must already be folded (lower case, [a-z0-9_.-]{3,32}). Seeded
 * data does not notify connected sockets; seed before clients subscribe.
 */
export interface SeedUser {
  username: string;
  passwordHash: string;
  displayName?: string;
  id?: string;
}

export interface SeedMessage {
  senderId: string;
  body: string;
  sentAt?: number;
  clientMessageId?: string;
}

export class Seeder {
  private readonly insertUser;
  private readonly insertSession;
  private readonly insertContact;
  private readonly insertConversation;
  private readonly insertMember;
  private readonly latestSeq;
  private readonly insertMessage;
  private readonly bumpConversation;

  /** `onWritten` runs after writes to conversations, members or messages (the server drops its caches of them). */
  constructor(
    private readonly db: Db,
    private readonly onWritten: () => void = () => undefined,
  ) {
    this.insertUser = db.prepare('INSERT INTO users (id, username, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)');
    this.insertSession = db.prepare(
      'INSERT INTO sessions (token_hash, user_id, public_computer, created_at, last_used_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.insertContact = db.prepare('INSERT OR IGNORE INTO contacts (user_id, contact_id, created_at) VALUES (?, ?, ?)');
    this.insertConversation = db.prepare(
      `INSERT INTO conversations (id, kind, title, direct_key, created_by, owner_id, created_at, updated_at, latest_seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)`,
    );
    this.insertMember = db.prepare('INSERT OR IGNORE INTO members (conversation_id, user_id) VALUES (?, ?)');
    this.latestSeq = db.prepare('SELECT latest_seq FROM conversations WHERE id = ?').pluck();
    this.insertMessage = db.prepare(
      `INSERT INTO messages (conversation_id, seq, id, sender_id, client_message_id, body, sent_at, revision)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.bumpConversation = db.prepare('UPDATE conversations SET latest_seq = ?, updated_at = ? WHERE id = ?');
  }

  /** Inserts users and returns their ids, in order. */
  users(users: SeedUser[], now = Date.now()): string[] {
    const stmt = this.insertUser;
    return this.db.transaction(() =>
      users.map((u) => {
        const id = u.id ?? newId('u');
        stmt.run(id, u.username, u.displayName ?? u.username, u.passwordHash, now);
        return id;
      }),
    )();
  }

  /** Stores sessions for the given tokens (only their SHA-256 is kept). */
  sessions(sessions: { userId: string; token: string; publicComputer?: boolean }[], now = Date.now()): void {
    const stmt = this.insertSession;
    this.db.transaction(() => {
      for (const s of sessions) stmt.run(hashToken(s.token), s.userId, s.publicComputer ? 1 : 0, now, now);
    })();
  }

  /** Makes each pair each other's contacts. */
  contacts(pairs: [string, string][], now = Date.now()): void {
    const stmt = this.insertContact;
    this.db.transaction(() => {
      for (const [a, b] of pairs) {
        stmt.run(a, b, now);
        stmt.run(b, a, now);
      }
    })();
  }

  /** Creates a conversation: direct for two members unless `kind` says otherwise. */
  conversation(c: { memberIds: string[]; title?: string; kind?: 'direct' | 'group'; createdBy?: string; id?: string }, now = Date.now()): string {
    const id = c.id ?? newId('c');
    const kind = c.kind ?? (c.memberIds.length === 2 ? 'direct' : 'group');
    const directKey = kind === 'direct' ? [...c.memberIds].sort().join('|') : null;
    const conv = this.insertConversation;
    const member = this.insertMember;
    this.db.transaction(() => {
      const createdBy = c.createdBy ?? c.memberIds[0]!;
      // A group is owned by its creator; a direct conversation by nobody. Every seeded member is a founder (joinedSeq 1).
      conv.run(id, kind, c.title ?? '', directKey, createdBy, kind === 'group' ? createdBy : null, now, now);
      for (const m of c.memberIds) member.run(id, m);
    })();
    this.onWritten();
    return id;
  }

  /** Appends messages (`message` entries, unedited, no reactions) in bulk with consecutive seqs; returns the new latestSeq. */
  messages(conversationId: string, messages: SeedMessage[], now = Date.now()): number {
    const latest = this.latestSeq;
    const insert = this.insertMessage;
    const bump = this.bumpConversation;
    const seq = this.db.transaction(() => {
      let seq = latest.get(conversationId) as number;
      let last = now;
      for (const m of messages) {
        seq += 1;
        last = m.sentAt ?? now;
        insert.run(conversationId, seq, newEntryId(last), m.senderId, m.clientMessageId ?? `seed-${conversationId}-${seq}`, m.body, last, seq);
      }
      bump.run(seq, last, conversationId);
      return seq;
    })();
    this.onWritten();
    return seq;
  }

  /** Removes all data (used by the mock reset). */
  clear(): void {
    this.db.exec('DELETE FROM messages; DELETE FROM quiet_commands; DELETE FROM members; DELETE FROM conversations; DELETE FROM contacts; DELETE FROM sessions; DELETE FROM users;');
    this.onWritten();
  }
}

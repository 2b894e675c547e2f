import type { User } from '../../src/protocol/index';
import type { Db } from './database';

export interface UserRow {
  id: string;
  username: string;
  displayName: string;
  passwordHash: string;
  lastSeenAt: number | null;
}

const COLUMNS = 'id, username, display_name AS displayName, password_hash AS passwordHash, last_seen_at AS lastSeenAt';

/** Accounts: lookup by id or folded username, creation, profile and password changes, and the lastSeenAt presence stamp. */
export class UsersRepo {
  private readonly insertStmt;
  private readonly byNameStmt;
  private readonly byIdStmt;
  private readonly lastSeenStmt;
  private readonly displayNameStmt;
  private readonly passwordStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      'INSERT INTO users (id, username, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.byNameStmt = db.prepare(`SELECT ${COLUMNS} FROM users WHERE username = ?`);
    this.byIdStmt = db.prepare(`SELECT ${COLUMNS} FROM users WHERE id = ?`);
    this.lastSeenStmt = db.prepare('UPDATE users SET last_seen_at = ? WHERE id = ?');
    this.displayNameStmt = db.prepare('UPDATE users SET display_name = ? WHERE id = ?');
    this.passwordStmt = db.prepare('UPDATE users SET password_hash = ? WHERE id = ?');
  }

  insert(id: string, username: string, displayName: string, passwordHash: string, now: number): void {
    this.insertStmt.run(id, username, displayName, passwordHash, now);
  }

  findByUsername(username: string): UserRow | undefined {
    return this.byNameStmt.get(username) as UserRow | undefined;
  }

  findById(id: string): UserRow | undefined {
    return this.byIdStmt.get(id) as UserRow | undefined;
  }

  setLastSeen(id: string, at: number): void {
    this.lastSeenStmt.run(at, id);
  }

  setDisplayName(id: string, displayName: string): void {
    this.displayNameStmt.run(displayName, id);
  }

  setPasswordHash(id: string, passwordHash: string): void {
    this.passwordStmt.run(passwordHash, id);
  }
}

export function toUser(row: Pick<UserRow, 'id' | 'username' | 'displayName'>): User {
  return { id: row.id, username: row.username, displayName: row.displayName };
}

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

/** Accounts: lookup by id or folded username, creation, and the lastSeenAt presence stamp. */
export class UsersRepo {
  private readonly insertStmt;
  private readonly byNameStmt;
  private readonly byIdStmt;
  private readonly lastSeenStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      'INSERT INTO users (id, username, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.byNameStmt = db.prepare(`SELECT ${COLUMNS} FROM users WHERE username = ?`);
    this.byIdStmt = db.prepare(`SELECT ${COLUMNS} FROM users WHERE id = ?`);
    this.lastSeenStmt = db.prepare('UPDATE users SET last_seen_at = ? WHERE id = ?');
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
}

export function toUser(row: Pick<UserRow, 'id' | 'username' | 'displayName'>): User {
  return { id: row.id, username: row.username, displayName: row.displayName };
}

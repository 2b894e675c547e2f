import type { Db } from './database';

export interface SessionRow {
  tokenHash: string;
  userId: string;
  publicComputer: boolean;
  createdAt: number;
  lastUsedAt: number;
}

/** Sessions, keyed by the SHA-256 of their token: the token itself is never stored. */
export class SessionsRepo {
  private readonly insertStmt;
  private readonly findStmt;
  private readonly touchStmt;
  private readonly deleteStmt;
  private readonly beyondStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      'INSERT INTO sessions (token_hash, user_id, public_computer, created_at, last_used_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.findStmt = db.prepare(
      `SELECT token_hash AS tokenHash, user_id AS userId, public_computer AS publicComputer,
              created_at AS createdAt, last_used_at AS lastUsedAt
       FROM sessions WHERE token_hash = ?`,
    );
    this.touchStmt = db.prepare('UPDATE sessions SET last_used_at = ? WHERE token_hash = ?');
    this.deleteStmt = db.prepare('DELETE FROM sessions WHERE token_hash = ?');
    this.beyondStmt = db
      .prepare('SELECT token_hash FROM sessions WHERE user_id = ? ORDER BY last_used_at DESC, created_at DESC LIMIT -1 OFFSET ?')
      .pluck();
  }

  insert(row: SessionRow): void {
    this.insertStmt.run(row.tokenHash, row.userId, row.publicComputer ? 1 : 0, row.createdAt, row.lastUsedAt);
  }

  find(tokenHash: string): SessionRow | undefined {
    const row = this.findStmt.get(tokenHash) as (Omit<SessionRow, 'publicComputer'> & { publicComputer: number }) | undefined;
    return row && { ...row, publicComputer: row.publicComputer === 1 };
  }

  touch(tokenHash: string, at: number): void {
    this.touchStmt.run(at, tokenHash);
  }

  /** The token hashes of a user's sessions past the `keep` most recently used. */
  beyondNewest(userId: string, keep: number): string[] {
    return this.beyondStmt.all(userId, keep) as string[];
  }

  delete(tokenHash: string): void {
    this.deleteStmt.run(tokenHash);
  }
}

import type { Db } from './database';

export interface SessionRow {
  tokenHash: string;
  userId: string;
  publicComputer: boolean;
  createdAt: number;
  lastUsedAt: number;
}

/** The session lifetimes purgeExpired applies (ServerLimits, milliseconds). */
export interface SessionLifetimes {
  publicSessionIdleMs: number;
  publicSessionMaxMs: number;
  trustedSessionMs: number;
}

/**
 * How far behind the database's last_used_at may be (auth/session-registry.ts
 * writes a live session's traffic at most a minute late): a row is purged
 * only once it is expired by more than this, so a session in use is never.
 */
const LAST_USED_LAG_MS = 60_000;

/** Rows one purge statement deletes at most: each statement is a short write, whatever the backlog. */
export const PURGE_BATCH_ROWS = 1000;

/** Sessions, keyed by the SHA-256 of their token: the token itself is never stored. */
export class SessionsRepo {
  private readonly insertStmt;
  private readonly findStmt;
  private readonly touchStmt;
  private readonly deleteStmt;
  private readonly beyondStmt;
  private readonly purgeStmt;

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
    this.purgeStmt = db.prepare(
      `DELETE FROM sessions WHERE rowid IN (
         SELECT rowid FROM sessions
         WHERE (public_computer = 0 AND last_used_at < @trustedBefore)
            OR (public_computer = 1 AND (last_used_at < @idleBefore OR created_at < @createdBefore))
         LIMIT @limit)`,
    );
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

  /**
   * Deletes up to PURGE_BATCH_ROWS sessions past their expiry (a login that
   * was never resumed or logged out stays a row otherwise); returns how many.
   */
  purgeExpired(now: number, lifetimes: SessionLifetimes): number {
    const cutoff = now - LAST_USED_LAG_MS;
    return this.purgeStmt.run({
      trustedBefore: cutoff - lifetimes.trustedSessionMs,
      idleBefore: cutoff - lifetimes.publicSessionIdleMs,
      createdBefore: cutoff - lifetimes.publicSessionMaxMs,
      limit: PURGE_BATCH_ROWS,
    }).changes;
  }
}

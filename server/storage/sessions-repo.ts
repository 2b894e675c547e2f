import type { Db } from './database';
import { newId } from './ids';

export interface SessionRow {
  tokenHash: string;
  /** Names the session in GetSessionsCommand: random, unrelated to the token, useless for logging in. */
  id: string;
  userId: string;
  publicComputer: boolean;
  createdAt: number;
  lastUsedAt: number;
  /** What made it, e.g. "Chromium on Linux" (auth/user-agent.ts); "" when unknown. */
  client: string;
}

/** A row to insert: the id is made when absent, the client is "" when absent. */
export type NewSessionRow = Omit<SessionRow, 'id' | 'client'> & Partial<Pick<SessionRow, 'id' | 'client'>>;

/** The session lifetimes purgeExpired applies (ServerLimits, milliseconds). */
export interface SessionLifetimes {
  publicSessionIdleMs: number;
  publicSessionMaxMs: number;
  trustedSessionMs: number;
  trustedSessionMaxMs: number;
}

/** Sessions GetSessionsCommand lists at most (the most recently used): a bound on the reply whatever SESSIONS_PER_USER says. */
export const MAX_LISTED_SESSIONS = 1000;

const COLUMNS = `token_hash AS tokenHash, id, user_id AS userId, public_computer AS publicComputer,
              created_at AS createdAt, last_used_at AS lastUsedAt, client`;

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
  private readonly byIdStmt;
  private readonly byUserStmt;
  private readonly deleteOthersStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      'INSERT INTO sessions (token_hash, id, user_id, public_computer, created_at, last_used_at, client) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.findStmt = db.prepare(`SELECT ${COLUMNS} FROM sessions WHERE token_hash = ?`);
    this.byIdStmt = db.prepare(`SELECT ${COLUMNS} FROM sessions WHERE id = ?`);
    this.deleteOthersStmt = db.prepare('DELETE FROM sessions WHERE user_id = ? AND token_hash != ?');
    this.byUserStmt = db.prepare(`SELECT ${COLUMNS} FROM sessions WHERE user_id = ? ORDER BY last_used_at DESC, created_at DESC LIMIT ?`);
    this.touchStmt = db.prepare('UPDATE sessions SET last_used_at = ? WHERE token_hash = ?');
    this.deleteStmt = db.prepare('DELETE FROM sessions WHERE token_hash = ?');
    this.beyondStmt = db
      .prepare('SELECT token_hash FROM sessions WHERE user_id = ? ORDER BY last_used_at DESC, created_at DESC LIMIT -1 OFFSET ?')
      .pluck();
    this.purgeStmt = db.prepare(
      `DELETE FROM sessions WHERE rowid IN (
         SELECT rowid FROM sessions
         WHERE (public_computer = 0 AND (last_used_at < @trustedBefore OR created_at < @trustedCreatedBefore))
            OR (public_computer = 1 AND (last_used_at < @idleBefore OR created_at < @createdBefore))
         LIMIT @limit)`,
    );
  }

  insert(row: NewSessionRow): SessionRow {
    const full: SessionRow = { ...row, id: row.id ?? newId('s'), client: row.client ?? '' };
    this.insertStmt.run(full.tokenHash, full.id, full.userId, full.publicComputer ? 1 : 0, full.createdAt, full.lastUsedAt, full.client);
    return full;
  }

  find(tokenHash: string): SessionRow | undefined {
    return fromDb(this.findStmt.get(tokenHash));
  }

  /** The session with this id (the id GetSessionsCommand shows), or undefined. */
  findById(id: string): SessionRow | undefined {
    return fromDb(this.byIdStmt.get(id));
  }

  /** A user's sessions, most recently used first, at most MAX_LISTED_SESSIONS (expired ones included: the caller filters). */
  listByUser(userId: string): SessionRow[] {
    return (this.byUserStmt.all(userId, MAX_LISTED_SESSIONS) as DbRow[]).map((row) => fromDb(row)!);
  }

  touch(tokenHash: string, at: number): void {
    this.touchStmt.run(at, tokenHash);
  }

  /** The token hashes of a user's sessions past the `keep` most recently used. */
  beyondNewest(userId: string, keep: number): string[] {
    return this.beyondStmt.all(userId, keep) as string[];
  }

  /** Deletes every session of the user but the one of `keepTokenHash`; returns how many. */
  deleteOthers(userId: string, keepTokenHash: string): number {
    return this.deleteOthersStmt.run(userId, keepTokenHash).changes;
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
      trustedCreatedBefore: cutoff - lifetimes.trustedSessionMaxMs,
      idleBefore: cutoff - lifetimes.publicSessionIdleMs,
      createdBefore: cutoff - lifetimes.publicSessionMaxMs,
      limit: PURGE_BATCH_ROWS,
    }).changes;
  }
}

type DbRow = Omit<SessionRow, 'publicComputer' | 'id'> & { publicComputer: number; id: string | null };

function fromDb(row: unknown): SessionRow | undefined {
  if (!row) return undefined;
  const r = row as DbRow;
  // Every row has an id since the migration that added the column; the fallback keeps the type honest.
  return { ...r, id: r.id ?? '', publicComputer: r.publicComputer === 1 };
}

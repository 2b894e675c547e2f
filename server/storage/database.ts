import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './migrations';

export type Db = Database.Database;

/** Why the server could not open its database; main.ts prints the message alone, no stack. */
export class DatabaseOpenError extends Error {
  constructor(
    readonly code: 'DATABASE_NOT_WRITABLE' | 'DATABASE_OPEN_FAILED',
    message: string,
    override readonly cause: unknown,
  ) {
    super(message);
    this.name = 'DatabaseOpenError';
  }
}

// SQLite's and the OS's codes for a file or directory this process may not write.
const NOT_WRITABLE = /^(SQLITE_READONLY|SQLITE_CANTOPEN|EACCES|EPERM|EROFS)/;

/**
 * Opens the embedded database with the pragmas the durability promise rests
 * on: WAL, and synchronous=NORMAL (a committed transaction survives a process
 * crash) or FULL (it also survives power loss).
 *
 * `walSizeLimitBytes` is the size the WAL file returns to (below).
 *
 * A database the server cannot write is refused here, at start, with a
 * sentence naming the file: SQLite opens a write-protected file read-only
 * without a word, and such a handle never becomes writable again, so the
 * server would have refused every send until restarted (disk suite,
 * reliability/suites/disk-perms.ts).
 */
export function openDatabase(path: string, durability: 'normal' | 'full', walSizeLimitBytes = -1): Db {
  let db: Db | null = null;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // A deleted message's text must not survive in the file: SQLite otherwise
    // leaves the bytes of a shortened or deleted record in the page's free
    // space (and freed pages) until something overwrites them.
    db.pragma('secure_delete = ON');
    // SQLite rewinds the WAL after a checkpoint that emptied it but never
    // shrinks the file unless told: without a limit a burst of writes left a
    // WAL of its peak size for good. The connection that rewinds it cuts it
    // back to this (-1: no limit).
    db.pragma(`journal_size_limit = ${walSizeLimitBytes}`);
    migrate(db);
    // Rewriting user_version with its own value is the smallest write there is; it fails on a read-only handle.
    db.pragma(`user_version = ${Number(db.pragma('user_version', { simple: true }))}`);
    return db;
  } catch (error) {
    db?.close();
    throw openError(path, error);
  }
}

function openError(path: string, error: unknown): DatabaseOpenError {
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  const detail = `${(error as Error).message ?? String(error)}${code ? `, ${code}` : ''}`;
  if (NOT_WRITABLE.test(code)) {
    const uid = process.getuid?.();
    return new DatabaseOpenError(
      'DATABASE_NOT_WRITABLE',
      `cannot open the database ${path}: it or its directory is not writable by this process${uid === undefined ? '' : ` (uid ${uid})`} (${detail}). Make both writable by the server's user and start it again.`,
      error,
    );
  }
  return new DatabaseOpenError('DATABASE_OPEN_FAILED', `cannot open the database ${path} (${detail})`, error);
}

/** Checkpoints the WAL into the main file and closes; safe to call twice. */
export function closeDatabase(db: Db): void {
  if (!db.open) return;
  try {
    if (db.name !== ':memory:') db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

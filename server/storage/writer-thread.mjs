// The writer thread (worker_threads): the group-commit transaction and the
// WAL checkpoints, on a connection of their own, off the server's event
// loop. See thread-writer.ts for the main thread's side and docs/SERVER.md.
import Database from 'better-sqlite3';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { prepareBatchWriter } from './writer-batch.mjs';

const { path, durability, autocheckpointPages, idleCheckpointMs, checkpointerMs, backstopPages } = workerData;

const errorOf = (error) => ({
  name: error?.name ?? 'Error',
  message: error?.message ?? String(error),
  code: typeof error?.code === 'string' ? error.code : undefined,
});

let db;
let write;
try {
  db = new Database(path);
  // The pragmas of storage/database.ts openDatabase (the main connection has
  // already opened, migrated and write-checked the file).
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Deletion erases: the old text of an edited or deleted message is zeroed in the page, not left in its free space.
  db.pragma('secure_delete = ON');
  // The connection that starts the WAL over after a complete checkpoint cuts
  // the file back to this on that commit (a burst leaves no lasting file).
  db.pragma(`journal_size_limit = ${workerData.walSizeLimitBytes ?? -1}`);
  // This connection makes nearly every commit, so it is the one whose
  // commits cross the threshold and checkpoint (the main connection's
  // automatic checkpoint is only a backstop, app.ts). The checkpoint runs right after
  // the COMMIT that crosses it, on this thread, and the writer's next
  // transaction then starts the WAL over from its beginning: the WAL stays
  // bounded. (A checkpoint-only thread beside a writer never let the WAL
  // rewind, docs/BENCHMARKS.md.)
  // With a checkpointer thread (wal-checkpointer.mjs) this connection's own
  // checkpoint is only a backstop, at four times the threshold.
  db.pragma(`wal_autocheckpoint = ${checkpointerMs > 0 ? (backstopPages ?? 4 * autocheckpointPages) : autocheckpointPages}`);
  write = prepareBatchWriter(db);
} catch (error) {
  parentPort.postMessage({ t: 'fatal', error: errorOf(error) });
  try {
    db?.close();
  } catch {
    // closing after a failed open
  }
  parentPort.close();
}

let batchesSinceTick = 0;
let dirty = false;

// Writes made by the main connection (sessions, contacts, logins), which
// does not checkpoint, are checkpointed here when the writer is idle: a
// PASSIVE checkpoint that finds nothing new to copy costs a read of the
// WAL index and no fsync.
const idleTimer =
  write && idleCheckpointMs > 0
    ? setInterval(() => {
        if (batchesSinceTick === 0 && dirty) {
          try {
            db.pragma('wal_checkpoint(PASSIVE)');
            dirty = false;
          } catch {
            // busy or failing disk: the next batch's automatic checkpoint or the next tick tries again
          }
        }
        batchesSinceTick = 0;
      }, idleCheckpointMs)
    : null;
idleTimer?.unref();

// While the checkpointer's final pass runs, every message waits here, in order.
let paused = false;
let deferred = [];
let checkpointerStopped = null;
let checkpointerAlive = false;
const checkpointer =
  write && checkpointerMs > 0
    ? new Worker(new URL('./wal-checkpointer.mjs', import.meta.url), {
        workerData: { path, durability, everyMs: checkpointerMs, thresholdPages: autocheckpointPages },
      })
    : null;
checkpointer?.on('message', (m) => {
  if (m.t === 'want-final') {
    paused = true;
    checkpointer.postMessage('final');
  } else if (m.t === 'final-done') {
    paused = false;
    const queued = deferred;
    deferred = [];
    for (const q of queued) {
      if (paused) deferred.push(q);
      else handle(q);
    }
  } else if (m.t === 'stopped') {
    checkpointerStopped?.();
  }
});
if (checkpointer) checkpointerAlive = true;
// A checkpointer that dies leaves the writer with its backstop checkpoint, never paused, and does not hold up close.
checkpointer?.on('exit', () => {
  checkpointerAlive = false;
  if (paused) checkpointer.emit('message', { t: 'final-done' });
  checkpointerStopped?.();
});

if (write) {
  parentPort.on('message', (m) => {
    if (paused) deferred.push(m);
    else handle(m);
  });
  parentPort.postMessage({ t: 'ready' });
}

function handle(m) {
  switch (m.t) {
    case 'batch': {
      const started = process.hrtime.bigint();
      const now = Date.now();
      batchesSinceTick++;
      dirty = true;
      let result;
      try {
        result = write(m.flat, now, m.receipts);
      } catch (error) {
        parentPort.postMessage({ n: m.n, error: errorOf(error) });
        return;
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      parentPort.postMessage({ n: m.n, now, seconds, ...result });
      return;
    }
    case 'close': {
      if (idleTimer) clearInterval(idleTimer);
      if (checkpointerAlive) {
        // The checkpointer's connection closes first, so that TRUNCATE below finds no other checkpointer.
        checkpointerStopped = () => {
          checkpointerStopped = null;
          handle({ ...m, t: 'close-now' });
        };
        checkpointer.postMessage('stop');
        return;
      }
      handle({ ...m, t: 'close-now' });
      return;
    }
    case 'close-now': {
      let error;
      try {
        db.pragma('wal_checkpoint(TRUNCATE)');
      } catch (e) {
        error = errorOf(e);
      }
      try {
        db.close();
      } catch (e) {
        error ??= errorOf(e);
      }
      parentPort.postMessage({ n: m.n, error });
      parentPort.close();
      return;
    }
  }
}

import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './database';

/**
 * WAL checkpoints on a worker thread. SQLite's automatic checkpoint runs
 * inside the COMMIT that crosses `wal_autocheckpoint` pages, on the thread
 * that commits: it copies the WAL's pages into the database file and
 * fsyncs, about a quarter of the writer's CPU per message in one-to-one
 * chat (measured: 46 -> 35 µs per message at batches of 16, whole process),
 * and a stall for every ack of that batch.
 *
 * Here a second connection on a worker thread runs `wal_checkpoint(PASSIVE)`
 * every `intervalMs`: PASSIVE never waits for the writer and never changes
 * what the writer's transactions see (no SQLITE_BUSY for them). Under steady
 * writes such a checkpoint never quite reaches the WAL's end, and SQLite
 * only rewinds the WAL after a checkpoint that did, on the writer's next
 * transaction. So the writer keeps its automatic checkpoint, raised to
 * `walPages`: when the WAL is that long, it checkpoints in its own COMMIT as
 * before, but only the tail the worker has not copied yet, and the WAL
 * rewinds. That also bounds the WAL if the worker dies.
 *
 * Durability does not change: a commit is durable once it is in the WAL
 * (synchronous=NORMAL: a process crash loses nothing acknowledged), and a
 * checkpoint only moves committed pages into the main file.
 */
export interface Checkpointer {
  /** Stops the worker (its connection closes); resolves when it has exited. */
  stop(): Promise<void>;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 0');
db.pragma('synchronous = ' + workerData.synchronous);
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
`;

export function startCheckpointer(
  db: Db,
  options: { intervalMs: number; walPages: number; onError: (message: string) => void },
): Checkpointer {
  db.pragma(`wal_autocheckpoint = ${options.walPages}`);
  const synchronous = db.pragma('synchronous', { simple: true }) === 2 ? 'FULL' : 'NORMAL';
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      path: db.name,
      intervalMs: options.intervalMs,
      synchronous,
    },
  });
  // The server's exit must not wait for the checkpoints; stop() is the orderly end.
  worker.unref();
  worker.on('message', (m: { error?: string }) => m.error && options.onError(m.error));
  worker.on('error', (err) => options.onError(err.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let stopping: Promise<void> | null = null;
  return {
    stop: () =>
      (stopping ??= (async () => {
        worker.postMessage('stop');
        await Promise.race([exited, new Promise<void>((r) => setTimeout(r, 2000).unref())]);
        await worker.terminate();
      })()),
  };
}

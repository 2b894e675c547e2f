import { Worker } from 'node:worker_threads';
import { flatten, readResult, type BatchWriter, type CommittedBatch, type WriteBatch } from './message-writer';
import type { BatchResult } from './writer-batch.mjs';

export interface WriterThreadOptions {
  /** The database file (not ':memory:'), already opened, migrated and write-checked by the main thread. */
  path: string;
  durability: 'normal' | 'full';
  /** The writer connection's wal_autocheckpoint. */
  autocheckpointPages: number;
  /** When the writer was idle for this long and something was written, a PASSIVE checkpoint (main-thread writes). */
  idleCheckpointMs?: number;
  /**
   * PASSIVE checkpoints every this many ms on a checkpointer thread
   * (wal-checkpointer.mjs), the writer pausing only for a short final pass
   * once the WAL holds autocheckpointPages; 0: the writer's own automatic
   * checkpoint does it all. Default 0.
   */
  checkpointerMs?: number;
  /** With the checkpointer: the writer's own automatic checkpoint, a backstop (default 4 x autocheckpointPages; 0 = off). */
  backstopPages?: number;
  /** The writer connection's journal_size_limit: the WAL file is cut back to this once a checkpoint emptied it. Default: no limit. */
  walSizeLimitBytes?: number;
}

/** Starts the writer thread (writer-thread.mjs) on a database file: what `ThreadMessageWriter` is given to (re)start it. */
export function startWriterThread(options: WriterThreadOptions): Worker {
  const { path, durability, autocheckpointPages, idleCheckpointMs = 1000, checkpointerMs = 0, backstopPages, walSizeLimitBytes = -1 } = options;
  // execArgv []: the thread is plain JavaScript and needs no TypeScript
  // loader (`--import tsx` would add its start-up to every server start).
  return new Worker(new URL('./writer-thread.mjs', import.meta.url), {
    workerData: { path, durability, autocheckpointPages, idleCheckpointMs, checkpointerMs, backstopPages, walSizeLimitBytes },
    execArgv: [],
  });
}

export interface ThreadWriterEvents {
  /**
   * A batch's fate is unknown: the thread died holding it. Whatever follows
   * commits (the entry cache) must be dropped; the batch was rejected, and
   * its resends are answered with the original if it was stored.
   */
  onLost?: () => void;
  onThreadError?: (error: unknown) => void;
}

/** The thread's answer to a message: a batch's result, or the close's. */
interface Reply extends Partial<BatchResult> {
  t?: 'ready' | 'fatal';
  n?: number;
  now?: number;
  seconds?: number;
  error?: { name: string; message: string; code?: string };
}

interface Waiting {
  /** Set for a batch (not for the close). */
  batch: { batch: WriteBatch; ids: string[] } | null;
  resolve(value: CommittedBatch | undefined): void;
  reject(error: unknown): void;
}

/** Restarts allowed in RESTART_WINDOW_MS before the writer gives up (and refuses every batch). */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 10_000;

function toError(e: NonNullable<Reply['error']>): Error {
  // A plain Error with SQLite's code: the dispatcher answers INTERNAL with
  // the "storage is full or not writable" sentence for SQLITE_FULL & co.
  return Object.assign(new Error(e.message), { name: e.name, code: e.code });
}

/**
 * The batch transaction on a worker thread with its own write connection:
 * the transaction, its fsyncs and the WAL checkpoints do not stop the event
 * loop. A batch is answered when the thread's reply arrives, which it sends
 * after COMMIT returned: a resolved batch is durable. A thread that dies is
 * restarted (`startThread` again), up to three times in 10 s; then every
 * batch is refused at once, never left hanging.
 */
export class ThreadMessageWriter implements BatchWriter {
  private worker: Worker | null = null;
  private counter = 0;
  private readonly waiting = new Map<number, Waiting>();
  private idleWaiters: (() => void)[] = [];
  private readonly restarts: number[] = [];
  private failed: Error | null = null;
  private closing: Promise<void> | null = null;
  private stopping = false;

  constructor(
    private readonly startThread: () => Worker,
    private readonly events: ThreadWriterEvents = {},
  ) {
    this.start();
  }

  commit(batch: WriteBatch): Promise<CommittedBatch> {
    const refusal = this.failed ?? (this.stopping ? Object.assign(new Error('the message writer is closed'), { code: 'WRITER_CLOSED' }) : null);
    if (refusal) return Promise.reject(refusal);
    const { flat, ids, receipts } = flatten(batch);
    return this.post({ t: 'batch', flat, receipts }, { batch, ids }) as Promise<CommittedBatch>;
  }

  close(): Promise<void> {
    return (this.closing ??= (async () => {
      if (this.waiting.size > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      this.stopping = true;
      const worker = this.worker;
      if (!worker) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      try {
        await this.post({ t: 'close' }, null);
      } finally {
        await exited;
      }
    })());
  }

  private start(): void {
    const worker = this.startThread();
    worker.unref();
    worker.on('message', (m: Reply) => this.onMessage(m));
    worker.on('error', (error) => this.events.onThreadError?.(error));
    worker.on('exit', (code) => this.onExit(worker, code));
    this.worker = worker;
  }

  private post(message: Record<string, unknown>, batch: Waiting['batch']): Promise<CommittedBatch | undefined> {
    const worker = this.worker;
    if (!worker) return Promise.reject(this.failed ?? new Error('the writer thread is not running'));
    const n = ++this.counter;
    worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(n, { batch, resolve, reject });
      worker.postMessage({ ...message, n });
    });
  }

  private onMessage(m: Reply): void {
    if (m.t === 'ready') return;
    if (m.t === 'fatal') {
      // The thread could not open its connection; its exit follows.
      this.events.onThreadError?.(toError(m.error!));
      return;
    }
    const w = this.waiting.get(m.n!);
    if (!w) return;
    this.waiting.delete(m.n!);
    if (m.error) w.reject(toError(m.error));
    else if (w.batch) w.resolve(readResult(w.batch.batch, w.batch.ids, m.now!, m as BatchResult, m.seconds!));
    else w.resolve(undefined);
    this.idle();
  }

  private idle(): void {
    if (this.waiting.size > 0) return;
    // Closing: the thread stays referenced until its exit (close() awaits it).
    if (!this.stopping) this.worker?.unref();
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private onExit(worker: Worker, code: number): void {
    if (worker !== this.worker) return;
    this.worker = null;
    if (this.stopping && this.waiting.size === 0) return;
    const error = Object.assign(new Error(`the writer thread stopped (exit code ${code})`), { code: 'WRITER_THREAD_EXITED' });
    const lost = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of lost) w.reject(error);
    // Committed or not, nobody will be told: caches that follow commits start over.
    if (lost.some((w) => w.batch)) this.events.onLost?.();
    this.events.onThreadError?.(error);
    const now = Date.now();
    while (this.restarts.length > 0 && now - this.restarts[0]! > RESTART_WINDOW_MS) this.restarts.shift();
    if (this.stopping || this.restarts.length >= MAX_RESTARTS) {
      this.failed = error;
    } else {
      this.restarts.push(now);
      this.start();
    }
    this.idle();
  }
}

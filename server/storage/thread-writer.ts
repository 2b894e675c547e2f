import { Worker } from 'node:worker_threads';
import type { BatchResult } from './writer-batch.mjs';
import {
  flatten,
  flattenReceipts,
  settle,
  type OnCommitted,
  type Pending,
  type PendingReceipt,
  type ReceiptRequest,
  type ReceiptResult,
  type SendRequest,
  type SendResult,
  type SendWriter,
} from './message-writer';

export interface ThreadWriterOptions {
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
  /** With the checkpointer: the writer's own automatic checkpoint, a backstop (default 4 x autocheckpointPages; 0 = off, for tests). */
  backstopPages?: number;
  /** The writer connection's journal_size_limit: the WAL file is cut back to this once a checkpoint emptied it. Default: no limit. */
  walSizeLimitBytes?: number;
  onCommitted: OnCommitted;
  /**
   * A batch's fate is unknown: the thread died after sending it. Whatever
   * follows commits (the entry cache) must be dropped; the senders got an
   * error, and their retries are answered with the original if it was stored.
   */
  onLost?: () => void;
  onThreadError?: (error: unknown) => void;
}

interface Reply extends Partial<BatchResult> {
  t?: 'ready' | 'fatal';
  n?: number;
  now?: number;
  seconds?: number;
  value?: unknown;
  error?: { name: string; message: string; code?: string };
}

interface InFlight {
  n: number;
  batch: Pending[];
  ids: string[];
  receipts: PendingReceipt[];
}

/** Restarts allowed in RESTART_WINDOW_MS before the writer gives up (and refuses every send). */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 10_000;

function toError(e: NonNullable<Reply['error']>): Error {
  // A plain Error with SQLite's code: the command dispatcher answers INTERNAL
  // with the "storage is full or not writable" sentence for SQLITE_FULL & co.
  return Object.assign(new Error(e.message), { name: e.name, code: e.code });
}

/**
 * Group commit on a worker thread (writer-thread.mjs) with its own write
 * connection: the transaction, its fsyncs and the WAL checkpoints no longer
 * stop the event loop. Sends and receipts that arrive in one turn, and all
 * that arrive while a batch is on the thread, go as ONE batch (one transaction; one
 * batch in flight at a time, so batches grow with the thread's latency as
 * they did on the event loop). The senders are answered only when the
 * thread's reply arrives, which it sends after COMMIT returned: an
 * acknowledged message is durable. `onCommitted` runs on the main thread
 * with the reply, before the senders' (and receipts') promises resolve.
 */
export class ThreadMessageWriter implements SendWriter {
  private worker: Worker | null = null;
  private queue: Pending[] = [];
  private receiptQueue: PendingReceipt[] = [];
  private inFlight: InFlight | null = null;
  private scheduled = false;
  private counter = 0;
  private readonly calls = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  private idleWaiters: (() => void)[] = [];
  private readonly restarts: number[] = [];
  private failed: Error | null = null;
  private closing: Promise<void> | null = null;
  private stopping = false;

  constructor(private readonly options: ThreadWriterOptions) {
    this.start();
  }

  submit(request: SendRequest): Promise<SendResult> {
    return new Promise<SendResult>((resolve, reject) => {
      const refusal = this.refusal();
      if (refusal) return reject(refusal);
      this.queue.push({ request, resolve, reject });
      if (!this.inFlight) this.schedule();
    });
  }

  /** A receipt: in the same batch (the same transaction) as the sends of its turn, answered after COMMIT. */
  receipt(request: ReceiptRequest): Promise<ReceiptResult> {
    return new Promise<ReceiptResult>((resolve, reject) => {
      const refusal = this.refusal();
      if (refusal) return reject(refusal);
      this.receiptQueue.push({ request, resolve, reject });
      if (!this.inFlight) this.schedule();
    });
  }

  /** Why nothing more is taken: the writer gave up after repeated deaths, or it is closing. */
  private refusal(): Error | null {
    if (this.failed) return this.failed;
    if (this.stopping) return Object.assign(new Error('the message writer is closed'), { code: 'WRITER_CLOSED' });
    return null;
  }

  private queued(): boolean {
    return this.queue.length > 0 || this.receiptQueue.length > 0;
  }

  /** Posts the queue at the end of this turn, with every send read from the sockets in it. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.inFlight) this.post();
    });
  }

  flush(): Promise<void> {
    if (!this.inFlight && !this.queued()) return Promise.resolve();
    if (!this.inFlight) this.post();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): Promise<void> {
    return (this.closing ??= (async () => {
      await this.flush();
      this.stopping = true;
      const worker = this.worker;
      if (!worker) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      try {
        await this.call({ t: 'close' });
      } finally {
        await exited;
      }
    })());
  }

  pragma(sql: string, simple = false): Promise<unknown> {
    return this.call({ t: 'pragma', sql, simple });
  }

  /** For tests: how many final passes (writer paused, WAL checkpointed to its end) the checkpointer made. */
  statsForTest(): Promise<{ finals: number }> {
    return this.call({ t: 'stats' }) as Promise<{ finals: number }>;
  }

  /** Test hook: the thread's next transaction stays open this long before COMMIT, as on a stalled disk. */
  stallNextCommitForTest(ms: number): void {
    this.worker?.postMessage({ t: 'hook', hook: 'stall', ms });
  }

  /** Test hook: the thread exits inside its next transaction, before COMMIT (nothing of that batch is stored). */
  crashNextCommitForTest(): void {
    this.worker?.postMessage({ t: 'hook', hook: 'crash' });
  }

  private start(): void {
    const { path, durability, autocheckpointPages, idleCheckpointMs = 1000, checkpointerMs = 0, backstopPages, walSizeLimitBytes = -1 } = this.options;
    // execArgv []: the thread is plain JavaScript and needs no TypeScript
    // loader (`--import tsx` would add its start-up to every server start).
    const worker = new Worker(new URL('./writer-thread.mjs', import.meta.url), {
      workerData: { path, durability, autocheckpointPages, idleCheckpointMs, checkpointerMs, backstopPages, walSizeLimitBytes },
      execArgv: [],
    });
    worker.unref();
    worker.on('message', (m: Reply) => this.onMessage(m));
    worker.on('error', (error) => this.options.onThreadError?.(error));
    worker.on('exit', (code) => this.onExit(worker, code));
    this.worker = worker;
  }

  private post(): void {
    if (!this.queued() || !this.worker) return;
    const batch = this.queue;
    const receipts = this.receiptQueue;
    this.queue = [];
    this.receiptQueue = [];
    const { flat, ids } = flatten(batch);
    const n = ++this.counter;
    this.inFlight = { n, batch, ids, receipts };
    this.worker.ref();
    this.worker.postMessage({ t: 'batch', n, flat, receipts: flattenReceipts(receipts) });
  }

  private call(message: Record<string, unknown>): Promise<unknown> {
    const worker = this.worker;
    if (!worker) return Promise.reject(this.failed ?? new Error('the writer thread is not running'));
    const n = ++this.counter;
    worker.ref();
    return new Promise((resolve, reject) => {
      this.calls.set(n, { resolve, reject });
      worker.postMessage({ ...message, n });
    });
  }

  private onMessage(m: Reply): void {
    if (m.t === 'ready') return;
    if (m.t === 'fatal') {
      // The thread could not open its connection; its exit follows.
      this.options.onThreadError?.(toError(m.error!));
      return;
    }
    const f = this.inFlight;
    if (f && m.n === f.n) {
      this.inFlight = null;
      // The next batch leaves at the end of this turn (not at once): the
      // sends read from the sockets in this turn's I/O join it. Posting at
      // once made batches of 4-9 where the event-loop writer had 40 (cost
      // scenario, batch 64), and each batch costs the main thread a
      // postMessage, a reply and a notification pass.
      if (this.queued()) this.schedule();
      if (m.error) {
        const error = toError(m.error);
        for (const p of f.batch) p.reject(error);
        for (const p of f.receipts) p.reject(error);
      } else {
        settle(f.batch, f.ids, f.receipts, m.now!, m as BatchResult, m.seconds!, this.options.onCommitted);
      }
    } else {
      const call = this.calls.get(m.n!);
      this.calls.delete(m.n!);
      if (m.error) call?.reject(toError(m.error));
      else call?.resolve(m.value);
    }
    this.idle();
  }

  private idle(): void {
    if (this.inFlight || this.calls.size > 0) return;
    // Closing: the thread stays referenced until its exit (close() awaits it).
    if (!this.stopping) this.worker?.unref();
    if (this.queued()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private onExit(worker: Worker, code: number): void {
    if (worker !== this.worker) return;
    this.worker = null;
    if (this.stopping && this.calls.size === 0 && !this.inFlight) return;
    const error = Object.assign(new Error(`the writer thread stopped (exit code ${code})`), { code: 'WRITER_THREAD_EXITED' });
    const lost = this.inFlight;
    this.inFlight = null;
    if (lost) {
      for (const p of lost.batch) p.reject(error);
      for (const p of lost.receipts) p.reject(error);
      // Committed or not, nobody will be told: caches that follow commits start over.
      this.options.onLost?.();
    }
    for (const call of this.calls.values()) call.reject(error);
    this.calls.clear();
    this.options.onThreadError?.(error);
    const now = Date.now();
    while (this.restarts.length > 0 && now - this.restarts[0]! > RESTART_WINDOW_MS) this.restarts.shift();
    if (this.stopping || this.restarts.length >= MAX_RESTARTS) {
      // Gives up: every send from now on is refused at once, never left hanging.
      this.failed = error;
      const queued = this.queue;
      const receipts = this.receiptQueue;
      this.queue = [];
      this.receiptQueue = [];
      for (const p of queued) p.reject(error);
      for (const p of receipts) p.reject(error);
      this.idle();
      return;
    }
    this.restarts.push(now);
    this.start();
    this.post();
    this.idle();
  }
}

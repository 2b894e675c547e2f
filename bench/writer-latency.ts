/**
 * The group-commit writer alone, paced: sends submitted on a fixed-rate
 * timeline (send n at start + n/rate, from 1,000 senders in 1,000 direct
 * conversations), ack latency measured from the scheduled time (no
 * coordinated omission), on a WAL file with the server's pragmas. Compares
 * the writer on the event loop (`inproc`, as before the writer thread) with
 * the writer thread (`thread`, as the server runs it now: with the
 * checkpointer thread every 100 ms; CHECKPOINTER_MS=0 in the environment
 * for the writer thread checkpointing alone). Used for docs/BENCHMARKS.md:
 *
 *   node --import tsx bench/writer-latency.ts <inproc|thread> [rate=2000] [seconds=20] [durability=normal]
 *
 * RECEIPTS=1 in the environment also makes a main-connection write per
 * message, as the recipient's AckMessagesCommand does: 0-3 ms (at random)
 * after each ack, an UPDATE of the recipient's members row; it prints how
 * long those statements held the event loop (a write that meets the writer
 * thread's transaction waits in SQLite's busy handler). RECEIPTS=writer
 * submits the same receipt through the writer instead, as the server's
 * send path does (written in the next batch, answered after its COMMIT):
 * the time printed is then the submit call's on the event loop, and the
 * receipts' own answer latency (from submit) is printed too.
 *
 * Prints ack latency p50/p99/p99.9/max, the event loop's delay (p99, max;
 * perf_hooks.monitorEventLoopDelay), the main thread's CPU per message
 * (/proc/self/task/<pid>/stat) and the WAL file's largest extent.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { closeDatabase, openDatabase } from '../server/storage/database';
import { MessageWriter, type BatchWriter, type ReceiptRequest, type ReceiptResult, type SendRequest, type EntryResult } from '../server/storage/message-writer';
import { Seeder } from '../server/storage/seed';
import { ThreadMessageWriter, startWriterThread } from '../server/storage/thread-writer';

const mode = process.argv[2] ?? 'thread';
const rate = Math.max(1, Number(process.argv[3] ?? 2000));
const seconds = Math.min(600, Math.max(1, Number(process.argv[4] ?? 20)));
const durability = process.argv[5] === 'full' ? 'full' : 'normal';
if (!['inproc', 'thread'].includes(mode)) {
  process.stderr.write('usage: node --import tsx bench/writer-latency.ts <inproc|thread> [rate] [seconds] [normal|full]\n');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'tidings-writer-latency-'));
const path = join(dir, 'db.sqlite');
const db = openDatabase(path, durability);
const seeder = new Seeder(db);
const users = seeder.users(Array.from({ length: 2000 }, (_, i) => ({ username: `u${i}`, passwordHash: 'x' })));
const conversations = Array.from({ length: 1000 }, (_, i) => seeder.conversation({ memberIds: [users[2 * i]!, users[2 * i + 1]!] }));
let writer: BatchWriter;
if (mode === 'inproc') {
  db.pragma('wal_autocheckpoint = 4000');
  writer = new MessageWriter(db);
} else {
  db.pragma('wal_autocheckpoint = 0');
  writer = new ThreadMessageWriter(() =>
    startWriterThread({ path, durability, autocheckpointPages: 4000, checkpointerMs: Number(process.env['CHECKPOINTER_MS'] ?? 100) }),
  );
}

/**
 * The server's batching (handlers/send-path.ts) without its sockets: what is
 * queued in one turn is one batch, one batch on the writer at a time, the
 * next leaving at the end of the turn its predecessor's commit came in.
 */
let batches = 0;
let sends: { request: SendRequest; resolve(r: EntryResult): void }[] = [];
let receiptQueue: { request: ReceiptRequest; resolve(r: ReceiptResult): void }[] = [];
let batchScheduled = false;
let writing = false;
function schedule(): void {
  if (batchScheduled || writing) return;
  batchScheduled = true;
  setImmediate(() => {
    batchScheduled = false;
    if (sends.length === 0 && receiptQueue.length === 0) return;
    const s = sends;
    const r = receiptQueue;
    sends = [];
    receiptQueue = [];
    writing = true;
    batches++;
    writer.commit({ entries: s.map((q) => q.request), receipts: r.map((q) => q.request) }).then(
      (committed) => {
        writing = false;
        schedule();
        s.forEach((q, i) => q.resolve(committed.entries[i]!));
        r.forEach((q, i) => q.resolve(committed.receipts[i]!));
      },
      (error: unknown) => {
        process.stderr.write(`a batch failed: ${String(error)} ${(error as { code?: string }).code ?? ''}\n`);
        process.exit(1);
      },
    );
  });
}
const submit = (request: SendRequest): Promise<EntryResult> => new Promise((resolve) => (sends.push({ request, resolve }), schedule()));
const submitReceipt = (request: ReceiptRequest): Promise<ReceiptResult> => new Promise((resolve) => (receiptQueue.push({ request, resolve }), schedule()));
const body = 'x'.repeat(100);

const receiptMode = process.env['RECEIPTS'] === '1' ? 'main' : process.env['RECEIPTS'] === 'writer' ? 'writer' : null;
const receipts = receiptMode
  ? { stmt: db.prepare('UPDATE members SET delivered_seq = ?, read_seq = ? WHERE conversation_id = ? AND user_id = ?'), ms: [] as number[], answered: [] as number[], pending: 0 }
  : null;

/** The recipient's delivered/read receipt for message i, on the main connection, timed. */
function receipt(i: number, c: number): void {
  if (!receipts) return;
  receipts.pending++;
  setTimeout(() => {
    const t = performance.now();
    if (receiptMode === 'writer') {
      // As the handlers do: read up to the message (past latestSeq is clamped), answered after COMMIT.
      void submitReceipt({ conversationId: conversations[c]!, userId: users[2 * c + 1]!, seq: i, read: true }).then(() => {
        receipts.answered.push(performance.now() - t);
        receipts.pending--;
      });
      receipts.ms.push(performance.now() - t);
      return;
    }
    receipts.stmt.run(i, i, conversations[c]!, users[2 * c + 1]!);
    receipts.ms.push(performance.now() - t);
    receipts.pending--;
  }, Math.random() * 3);
}

function mainThreadCpuMicros(): number {
  // utime + stime of the main thread, in clock ticks (100 per second).
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

async function main(): Promise<void> {
  await writer.commit({ entries: [], receipts: [] }); // the thread is up
  const total = Math.round(rate * seconds);
  const latencies = new Float64Array(total);
  let walMax = 0;
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const cpu0 = mainThreadCpuMicros();
  const t0 = performance.now();
  let n = 0;
  let done = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
      for (; n < due; n++) {
        const i = n;
        const scheduled = t0 + (i * 1000) / rate;
        const c = i % 1000;
        void submit({ conversationId: conversations[c]!, senderId: users[2 * c]!, clientMessageId: `c${i}`, body }).then(() => {
          latencies[i] = performance.now() - scheduled;
          receipt(i, c);
          if (++done === total) resolve();
        });
      }
      if (n % 2000 < 20) walMax = Math.max(walMax, statSync(`${path}-wal`).size);
      if (n < total) setTimeout(tick, 1);
    };
    tick();
  });
  const cpu = mainThreadCpuMicros() - cpu0;
  while (receipts && receipts.pending > 0) await new Promise((r) => setTimeout(r, 5));
  loop.disable();
  walMax = Math.max(walMax, statSync(`${path}-wal`).size);
  await writer.close();
  closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  const q = (p: number): string => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(1);
  process.stdout.write(
    `${mode} ${durability}: ${rate}/s for ${seconds} s, ${total} messages in ${batches} batches: ack ms p50 ${q(0.5)} p99 ${q(0.99)} p99.9 ${q(0.999)} max ${sorted[sorted.length - 1]!.toFixed(1)}; ` +
      `event loop delay ms p99 ${(loop.percentile(99) / 1e6).toFixed(1)} max ${(loop.max / 1e6).toFixed(1)}; ` +
      `main-thread CPU ${(cpu / total).toFixed(1)} µs/message; WAL largest ${(walMax / 1048576).toFixed(1)} MiB\n`,
  );
  if (receipts) {
    const r = receipts.ms.sort((a, b) => a - b);
    const slow = r.filter((ms) => ms > 0.5);
    process.stdout.write(
      `receipts ${r.length}: ms p50 ${r[r.length >> 1]!.toFixed(3)} p99 ${r[Math.floor(0.99 * r.length)]!.toFixed(3)} max ${r[r.length - 1]!.toFixed(1)}; ` +
        `${slow.length} over 0.5 ms, ${slow.reduce((a, b) => a + b, 0).toFixed(0)} ms of event loop in them (${r.reduce((a, b) => a + b, 0).toFixed(0)} ms in all)\n`,
    );
    if (receiptMode === 'writer') {
      const w = receipts.answered.sort((a, b) => a - b);
      process.stdout.write(`receipts answered after COMMIT: ms p50 ${w[w.length >> 1]!.toFixed(1)} p99 ${w[Math.floor(0.99 * w.length)]!.toFixed(1)} max ${w[w.length - 1]!.toFixed(1)}\n`);
    }
  }
}

void main();

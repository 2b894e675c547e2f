/**
 * The group-commit writer alone, no sockets: CPU per stored message on a WAL
 * file, 1,000 direct conversations, a fixed batch size, with SQLite's
 * automatic checkpoint at its default 1,000 pages or at the server's 4,000
 * (server/app.ts). Used for docs/BENCHMARKS.md:
 *
 *   node --import tsx bench/writer-cost.ts <sqlite|server> [batch=16] [messages=80000]
 *
 * CPU is the process's; the database lives in a temp folder and is removed
 * at the end. The WAL's size at the end is its largest extent (SQLite
 * rewinds it after a complete checkpoint but does not shrink the file).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDatabase, openDatabase } from '../server/storage/database';
import { MessageWriter } from '../server/storage/message-writer';
import { Seeder } from '../server/storage/seed';

const mode = process.argv[2] ?? 'server';
const batch = Math.max(1, Number(process.argv[3] ?? 16));
const total = Math.min(1_000_000, Math.max(batch, Number(process.argv[4] ?? 80_000)));
if (!['sqlite', 'server'].includes(mode)) {
  process.stderr.write('usage: node --import tsx bench/writer-cost.ts <sqlite|server> [batch] [messages]\n');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'tidings-writer-cost-'));
const path = join(dir, 'db.sqlite');
const db = openDatabase(path, 'normal');
if (mode === 'server') db.pragma('wal_autocheckpoint = 4000');
const seeder = new Seeder(db);
const users = seeder.users(Array.from({ length: 2000 }, (_, i) => ({ username: `u${i}`, passwordHash: 'x' })));
const conversations = Array.from({ length: 1000 }, (_, i) => seeder.conversation({ memberIds: [users[2 * i]!, users[2 * i + 1]!] }));
const writer = new MessageWriter(db);
const body = 'x'.repeat(100);

async function main(): Promise<void> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let n = 0, b = 0; n < total; b++) {
    if (b % 50 === 0) await new Promise((r) => setImmediate(r));
    const sends = [];
    for (let i = 0; i < batch && n < total; i++, n++) {
      sends.push({ conversationId: conversations[n % 1000]!, senderId: users[2 * (n % 1000)]!, clientMessageId: `c${n}`, body });
    }
    // In process, the transaction runs inside commit(): the batch is written when it returns.
    void writer.commit({ entries: sends, receipts: [] });
  }
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  const walMiB = statSync(`${path}-wal`).size / 1048576;
  closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(
    `${mode}: batch ${batch}, ${total} messages: ${((cpu.user + cpu.system) / total).toFixed(1)} µs CPU per message ` +
      `(system ${(cpu.system / total).toFixed(1)}), wall ${(wallMs / 1000).toFixed(1)} s, WAL ${walMiB.toFixed(1)} MiB at the end\n`,
  );
}

void main();

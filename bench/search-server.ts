/**
 * The server's search index alone, no sockets: what one SearchMessagesCommand
 * costs the main thread at its worst, and what indexing adds to each stored
 * message. Used for docs/BENCHMARKS.md:
 *
 *   node --import tsx bench/search-server.ts [messages=200000] [scanLimit=5000]
 *
 * 200 conversations of two users each; the searcher is in ONE of them (1/200
 * of the history), so a common word matches mostly messages they may not
 * see: the walk examines up to scanLimit matches before it ends the page,
 * the worst case a query can ask for. Messages are stored in batches of 500
 * through the same triggers as the server's writer, first with the index
 * (the triggers) and then, as a baseline in the same run, without it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryWords } from '../src/protocol/index';
import { closeDatabase, openDatabase, type Db } from '../server/storage/database';
import { SearchRepo } from '../server/storage/search-repo';

const total = Math.min(2_000_000, Math.max(1000, Number(process.argv[2] ?? 200_000)));
const scanLimit = Math.max(100, Number(process.argv[3] ?? 5000));
const CONVERSATIONS = 200;

// A fixed pseudo-random sequence, so that every run stores the same text.
let state = 42;
const random = (): number => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
const SYLLABLES = ['ka', 'lo', 'mi', 'ra', 'te', 'su', 'no', 'be', 'chi', 'do', 'fa', 'gu', 'ho', 'ja', 'ki', 'lu', 'ma', 'ne', 'pi', 'qua', 'ré', 'sé', 'tó', 'vi'];
const VOCABULARY = Array.from({ length: 5000 }, () => Array.from({ length: 2 + Math.floor(random() * 3) }, () => SYLLABLES[Math.floor(random() * SYLLABLES.length)]).join(''));
const COMMON = ['the', 'a', 'is', 'to', 'and', 'meeting', 'tomorrow', 'café'];
const body = (): string =>
  Array.from({ length: 6 + Math.floor(random() * 14) }, () => (random() < 0.3 ? COMMON[Math.floor(random() * COMMON.length)] : VOCABULARY[Math.floor(random() * VOCABULARY.length)])).join(' ');

function fill(db: Db): number {
  db.exec(`INSERT INTO users (id, username, display_name, password_hash, created_at) VALUES ('u0', 'searcher', 'S', 'x', 0)`);
  const conv = db.prepare(`INSERT INTO conversations (id, kind, title, created_by, created_at, updated_at) VALUES (?, 'group', '', 'u0', 0, 0)`);
  const member = db.prepare('INSERT INTO members (conversation_id, user_id) VALUES (?, ?)');
  const user = db.prepare(`INSERT INTO users (id, username, display_name, password_hash, created_at) VALUES (?, ?, 'U', 'x', 0)`);
  for (let c = 0; c < CONVERSATIONS; c++) {
    conv.run(`c${c}`);
    user.run(`u${c + 1}`, `user${c + 1}`);
    member.run(`c${c}`, c === 0 ? 'u0' : `u${c + 1}`);
  }
  const insert = db.prepare(
    `INSERT INTO messages (conversation_id, seq, id, sender_id, client_message_id, body, sent_at, kind, revision) VALUES (?, ?, ?, ?, ?, ?, ?, 'message', ?)`,
  );
  const seqs = new Array<number>(CONVERSATIONS).fill(0);
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const c = i % CONVERSATIONS;
      const seq = ++seqs[c]!;
      insert.run(`c${c}`, seq, `m${i}`, `u${c + 1}`, `k${i}`, body(), i, seq);
    }
  });
  const started = performance.now();
  for (let i = 0; i < total; i += 500) batch(i, Math.min(total, i + 500));
  return performance.now() - started;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const dir = mkdtempSync(join(tmpdir(), 'tidings-search-bench-'));
try {
  const db = openDatabase(join(dir, 'indexed.db'), 'normal');
  const indexedMs = fill(db);
  const plain = openDatabase(join(dir, 'plain.db'), 'normal');
  plain.exec('DROP TRIGGER search_message_added; DROP TRIGGER search_message_changed; DROP TRIGGER search_message_removed;');
  state = 42;
  const plainMs = fill(plain);
  closeDatabase(plain);
  process.stdout.write(`stored ${total} messages: ${(indexedMs / total * 1000).toFixed(1)} µs each with the index, ${(plainMs / total * 1000).toFixed(1)} µs without (x${(indexedMs / plainMs).toFixed(2)})\n`);
  const repo = new SearchRepo(db);
  const queries = ['a', 'ma', 'the', 'cafe', 'tomorrow meeting', 'kalo', 'qu', 'zzzz', VOCABULARY[7]!];
  process.stdout.write('query                 scope        matches  p50 ms  p95 ms  max ms  hasMore\n');
  for (const query of queries) {
    for (const scope of ['all', 'c0'] as const) {
      const times: number[] = [];
      let found = 0;
      let more = false;
      for (let run = 0; run < 30; run++) {
        const started = performance.now();
        const page = repo.search({ userId: 'u0', words: queryWords(query), limit: 20, scanLimit, ...(scope === 'c0' ? { conversationId: 'c0' } : {}) });
        times.push(performance.now() - started);
        found = page.messages.length;
        more = page.hasMore;
      }
      times.sort((x, y) => x - y);
      process.stdout.write(
        `${query.padEnd(22)}${scope.padEnd(13)}${String(found).padStart(7)}${percentile(times, 50).toFixed(2).padStart(8)}${percentile(times, 95).toFixed(2).padStart(8)}${times[times.length - 1]!.toFixed(2).padStart(8)}  ${more}\n`,
      );
    }
  }
  closeDatabase(db);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

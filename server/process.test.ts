import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from './storage/database';
import { Seeder } from './storage/seed';
import { ProtocolClient } from './test/protocol-client';
import { testPasswordHash } from './test/harness';

/**
 * The real process: `node --import tsx server/main.ts` on a database file.
 * kill -9 must lose no acknowledged message; SIGTERM must close sockets
 * with 1001 and exit 0.
 */
interface Child {
  proc: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

function startChild(dbPath: string): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--port', '0', '--host', '127.0.0.1', '--db', dbPath], {
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, LOG_LEVEL: 'silent', VITEST: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no URL printed:\n${output}`)), 20_000);
    proc.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ proc, url: match[0], exited });
      }
    });
    proc.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
}

async function connect(child: Child, token: string): Promise<ProtocolClient> {
  const c = await ProtocolClient.connect(`${child.url.replace('http', 'ws')}/ws`);
  await c.register();
  const r = await c.call('AccountLoginCommand', { userInformation: { sessionToken: token } }, 'AccountLoginResponse');
  if (!r.loggedIn) throw new Error('token login failed');
  return c;
}

describe('the server process', () => {
  let dir: string;
  let dbPath: string;
  let conversationId: string;
  const tokens = ['token-for-ursula-000000000000000000000000', 'token-for-victor-000000000000000000000000'];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidings-proc-'));
    dbPath = join(dir, 'tidings.db');
    const db = openDatabase(dbPath, 'normal');
    const seeder = new Seeder(db);
    const hash = await testPasswordHash();
    const [u, v] = seeder.users([{ username: 'ursula', passwordHash: hash }, { username: 'victor', passwordHash: hash }]) as [string, string];
    seeder.sessions([{ userId: u, token: tokens[0]! }, { userId: v, token: tokens[1]! }]);
    seeder.contacts([[u, v]]);
    conversationId = seeder.conversation({ memberIds: [u, v] });
    closeDatabase(db);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every acknowledged message across kill -9, with no gap in seqs', async () => {
    const first = await startChild(dbPath);
    const clients = await Promise.all(tokens.map((t) => connect(first, t)));
    const acked = new Map<string, number>();
    let stop = false;
    // Two senders keep sending until the kill; each send is recorded only once acknowledged.
    const senders = clients.map(async (c, ci) => {
      for (let i = 0; i < 2000 && !stop; i++) {
        if (c.ws.readyState !== 1) return;
        const batch = Array.from({ length: 10 }, (_, j) => `c${ci}-${i}-${j}`);
        const replies = await Promise.allSettled(
          batch.map((id) => c.call('SendMessageCommand', { conversationId, clientMessageId: id, body: `body ${id}` }, 'SendMessageResponse')),
        );
        for (const r of replies) if (r.status === 'fulfilled') acked.set(r.value.clientMessageId, r.value.message.seq);
        if (replies.some((r) => r.status === 'rejected')) return;
        // Stay under the 50/s rate limit so sends are still in flight when the kill lands.
        await new Promise((r) => setTimeout(r, 200));
      }
    });
    await new Promise((r) => setTimeout(r, 1200));
    first.proc.kill('SIGKILL');
    stop = true;
    await first.exited;
    await Promise.allSettled(senders);
    expect(acked.size).toBeGreaterThan(50);

    const second = await startChild(dbPath);
    const reader = await connect(second, tokens[0]!);
    const stored = new Map<string, number>();
    let afterSeq = 0;
    for (let page = 0; page < 100; page++) {
      const res = await reader.call('GetMessagesCommand', { conversationId, afterSeq, limit: 500 }, 'MessagesResponse');
      for (const m of Object.values(res.messages)) stored.set(m.clientMessageId, m.seq);
      afterSeq = Math.max(afterSeq, ...Object.values(res.messages).map((m) => m.seq));
      if (!res.hasMore) break;
    }
    for (const [id, seq] of acked) expect(stored.get(id), id).toBe(seq);
    const seqs = [...stored.values()].sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    console.info(`kill -9: ${acked.size} acknowledged, ${stored.size} stored, none lost`);
    reader.close();
    second.proc.kill('SIGKILL');
    await second.exited;
  }, 40_000);

  it('on SIGTERM closes sockets with 1001 and exits 0', async () => {
    const child = await startChild(dbPath);
    const c = await connect(child, tokens[1]!);
    child.proc.kill('SIGTERM');
    expect((await c.closed).code).toBe(1001);
    expect(await child.exited).toBe(0);
  }, 30_000);
});

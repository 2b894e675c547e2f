import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { closeDatabase, openDatabase } from '../../server/storage/database';
import { Seeder } from '../../server/storage/seed';
import { ProtocolClient } from '../../server/test/protocol-client';
import { startChild, type ChildServer } from '../lib/child-server';
import { checkAckedStored } from '../lib/delivery-check';
import type { CheckRow, Report } from '../lib/results';
import { seedWorld, type World } from '../lib/world';

/**
 * Disk: the database's directory (and files) not writable. Root ignores
 * permissions, so the server runs as a child process under an unprivileged
 * uid (65534, "nobody") and the suite, as root, takes write permission away
 * and gives it back. What a person would notice is checked:
 * - no database yet and the directory not writable: the server refuses to
 *   start, naming the file and saying it is not writable;
 * - permission taken away while running: the open file handles still write,
 *   so every acknowledged send must be stored (or refused with a coded error);
 * - a restart while not writable (files read-only, or directory read-only
 *   with no WAL file to reuse): the server refuses to start with the same
 *   clear message, or, if it starts, refuses every send and recovers without
 *   a restart once writable again (a read-only SQLite handle never does, so
 *   starting read-only would be a defect);
 * - writable again: it starts, /healthz 200, a resend of every refused
 *   message is stored once, every acknowledged message is stored once.
 */
export interface PermsSize {
  /** Sends while permission is taken away (running server). */
  sendsWhileUnwritable: number;
}

const NOBODY = 65534;
const NOT_WRITABLE = /not writable/;

export function canDropPrivileges(): boolean {
  return process.getuid?.() === 0;
}

export async function runNotWritable(report: Report, size: PermsSize): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-perms-'));
  const dbPath = join(dir, 'tidings.db');
  const own = (): void => {
    chownSync(dir, NOBODY, NOBODY);
    for (const f of readdirSync(dir)) chownSync(join(dir, f), NOBODY, NOBODY);
  };
  const setWritable = (writable: boolean, files: boolean): void => {
    chmodSync(dir, writable ? 0o755 : 0o555);
    if (files) for (const f of readdirSync(dir)) chmodSync(join(dir, f), writable ? 0o644 : 0o444);
  };
  const start = (): Promise<ChildServer> => startChild({ dbPath, uid: NOBODY, gid: NOBODY, startTimeoutMs: 30_000 });
  let server: ChildServer | null = null;
  let client: ProtocolClient | null = null;
  const acked = new Map<string, number>();
  const refused: string[] = [];
  let n = 0;
  let rateLimited = 0;

  const startRefusals = report.row('directory not writable: start', 'the server (uid 65534) started with its database not writable: it must exit before listening, naming the database file and saying it is not writable');
  const running = report.row('directory not writable: while running', 'write permission on the directory and files taken away under a running server: every send acknowledged is stored, or refused with a coded error naming the storage');
  const recovery = report.row('directory not writable: recovery', 'writable again: the server starts (or recovers), /healthz 200, a resend of every refused message is stored once, every acknowledged message stored once, seqs gap-free');

  /** Expects the server to refuse to start with a clear message; if it starts, it must refuse sends and recover. */
  const expectRefusedStart = async (what: string): Promise<void> => {
    startRefusals.count++;
    try {
      server = await start();
    } catch (error) {
      const output = (error as Error).message;
      if (!/before listening/.test(output)) report.fail(startRefusals, `${what}: ${output.slice(0, 200)}`);
      else if (!NOT_WRITABLE.test(output) || !output.includes(dbPath)) report.fail(startRefusals, `${what}: refused without saying which file is not writable: ${output.split('\n').slice(0, 2).join(' ').slice(0, 240)}`);
      return;
    }
    // It started anyway: then it must refuse sends while not writable and recover without a restart.
    const s = server as ChildServer;
    if (!world) {
      report.fail(startRefusals, `${what}: started without a database it could create`);
      await s.stop();
      server = null;
      return;
    }
    const c = await login(s);
    for (let i = 0; i < 5; i++) {
      const r = await send(c, running);
      if (r === 'acked') report.fail(startRefusals, `${what}: started and acknowledged a send while its database is not writable`);
    }
    setWritable(true, true);
    await new Promise((r) => setTimeout(r, 500));
    const health = (await fetch(`${s.url}/healthz`)).status;
    const after = await send(c, recovery);
    if (health !== 200 || after !== 'acked') report.fail(startRefusals, `${what}: started read-only and did not recover once writable (/healthz ${health}, send ${after})`);
    c.close();
    await s.stop();
    server = null;
  };

  const login = async (s: ChildServer): Promise<ProtocolClient> => {
    const c = await ProtocolClient.connect(s.wsUrl, { timeoutMs: 10_000 });
    await c.register();
    await c.call('AccountLoginCommand', { userInformation: { sessionToken: world!.users[0]!.token } }, 'AccountLoginResponse');
    client = c;
    return c;
  };
  const send = async (c: ProtocolClient, row: CheckRow, id = `perms-${n++}`): Promise<'acked' | 'refused'> => {
    let frame = await c.request('SendMessageCommand', { conversationId: world!.directIds[0]!, clientMessageId: id, body: `message ${id}` });
    // The child server runs with the default rate limits (50/s, burst 200): back off and retry, as the
    // client's outbox does. Over a second apart, so the gateway sees no flood to close with 1008.
    while (frame.name === 'ErrorResponse' && frame.payload['code'] === 'RATE_LIMITED') {
      rateLimited++;
      await new Promise((r) => setTimeout(r, 1100));
      frame = await c.request('SendMessageCommand', { conversationId: world!.directIds[0]!, clientMessageId: id, body: `message ${id}` });
    }
    if (frame.name === 'SendMessageResponse') {
      acked.set(id, (frame.payload['message'] as { seq: number }).seq);
      return 'acked';
    }
    if (frame.name !== 'ErrorResponse' || !/storage is full or not writable/.test(String(frame.payload['message']))) {
      report.fail(row, `${id}: answered ${frame.name} ${JSON.stringify(frame.payload).slice(0, 160)}`);
    }
    if (!refused.includes(id)) refused.push(id);
    return 'refused';
  };

  let world: World | null = null;
  try {
    // 1. No database yet, directory not writable.
    own();
    setWritable(false, false);
    await expectRefusedStart('first start, no database, directory not writable');

    // 2. A database (seeded as root, then handed to uid 65534), permission taken away while running.
    setWritable(true, false);
    const db = openDatabase(dbPath, 'normal');
    const seeded = await seedWorld(new Seeder(db), 2, 'perms');
    world = seeded;
    closeDatabase(db);
    own();
    server = await start();
    let c = await login(server);
    for (let i = 0; i < 5; i++) await send(c, running);
    setWritable(false, true);
    for (let i = 0; i < size.sendsWhileUnwritable; i++) {
      running.count++;
      await send(c, running);
    }
    running.figures = { acknowledged: acked.size, refused: refused.length, healthz: (await fetch(`${server.url}/healthz`)).status, rateLimitedRetries: rateLimited };
    c.close();
    await server.stop();
    server = null;

    // 3. Restart with the files and the directory read-only.
    await expectRefusedStart('restart, database files and directory read-only');

    // 4. Restart with the directory read-only and no WAL file to reuse (it was removed by a clean stop while writable).
    setWritable(true, true);
    server = await start();
    await server.stop();
    server = null;
    // The stopped server may leave its WAL behind; checkpoint and close it here (as root, the directory
    // writable), so SQLite removes it and the restart must create it again.
    closeDatabase(new Database(dbPath));
    if (existsSync(`${dbPath}-wal`)) report.fail(startRefusals, 'setup: the WAL file is still there; the no-WAL restart would reuse it');
    own();
    setWritable(false, false);
    await expectRefusedStart('restart, directory read-only, files writable, no WAL file');

    // 5. Writable again.
    setWritable(true, true);
    server = await start();
    recovery.count++;
    const health = (await fetch(`${server.url}/healthz`)).status;
    if (health !== 200) report.fail(recovery, `/healthz ${health} once writable`);
    c = await login(server);
    for (const id of refused.splice(0)) {
      recovery.count++;
      if ((await send(c, recovery, id)) !== 'acked') report.fail(recovery, `resend of ${id} refused once writable`);
    }
    c.close();
    await server.stop();
    server = null;

    const check = new Database(dbPath, { readonly: true });
    const rows = check.prepare('SELECT client_message_id AS id, seq FROM messages WHERE conversation_id = ?').all(seeded.directIds[0]!) as { id: string; seq: number }[];
    check.close();
    recovery.count += acked.size;
    checkAckedStored(report, recovery, rows, acked);
  } finally {
    (client as ProtocolClient | null)?.close();
    await (server as ChildServer | null)?.stop();
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  }
}

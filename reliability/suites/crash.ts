import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientCore } from '../../src/core/create-client-core';
import type { Message } from '../../src/protocol/index';
import { closeDatabase, openDatabase } from '../../server/storage/database';
import { Seeder } from '../../server/storage/seed';
import { startChild, type ChildServer } from '../lib/child-server';
import { startCore } from '../lib/core-client';
import { checkDelivery, type Receiver, type Writer } from '../lib/delivery-check';
import { between, seededRandom } from '../lib/random';
import { RawSender } from '../lib/raw-sender';
import { Report } from '../lib/results';
import { sleep, waitFor } from '../lib/wait';
import { seedWorld } from '../lib/world';

/**
 * Crash: clients write at a steady rate while the server process is killed
 * with SIGKILL and restarted on the same port and database file, again and
 * again. Senders are real client cores (outbox, retries) and bare protocol
 * senders; one more core only receives.
 */
export interface CrashSize {
  kills: number;
  coreSenders: number;
  rawSenders: number;
  /** Each sender writes one message this often. */
  writeEveryMs: number;
  /** How long the server stays up between kills (random in the range). */
  upMs: [number, number];
  drainTimeoutMs: number;
}

export const CRASH_SIZES: Record<'ci' | 'long', CrashSize> = {
  ci: { kills: 3, coreSenders: 2, rawSenders: 2, writeEveryMs: 60, upMs: [500, 1000], drainTimeoutMs: 20_000 },
  long: { kills: 30, coreSenders: 3, rawSenders: 3, writeEveryMs: 40, upMs: [500, 2500], drainTimeoutMs: 60_000 },
};

export async function runCrash(size: CrashSize, seed: number, log: (line: string) => void = () => {}): Promise<Report> {
  const report = new Report('crash', size === CRASH_SIZES.long ? 'long' : 'ci', seed, log);
  const random = seededRandom(seed);
  const dir = mkdtempSync(join(tmpdir(), 'tidings-crash-'));
  const dbPath = join(dir, 'tidings.db');
  let server: ChildServer | null = null;
  const cores: ClientCore[] = [];
  const raws: RawSender[] = [];
  try {
    const senders = size.coreSenders + size.rawSenders;
    const db = openDatabase(dbPath, 'normal');
    const world = await seedWorld(new Seeder(db), senders + 1, 'crash');
    closeDatabase(db);
    server = await startChild({ dbPath });
    const port = server.port;
    const url = `ws://127.0.0.1:${port}/ws`;

    // Sender i writes alternately to the group and (when it has one) its direct conversation.
    const targets = (i: number): string[] => {
      const direct = world.directIds[Math.floor(i / 2)];
      return direct ? [world.groupId, direct] : [world.groupId];
    };
    const coreWrites: Writer[] = [];
    for (let i = 0; i < size.coreSenders; i++) {
      cores.push(await startCore(url, world.users[i]!, seededRandom(seed + i + 1)));
      coreWrites.push({ name: `core${i}`, written: [], acked: new Map() });
    }
    for (let i = 0; i < size.rawSenders; i++) {
      const raw = new RawSender(() => url, world.users[size.coreSenders + i]!.token, `raw${i}`);
      raw.ensureConnected();
      raws.push(raw);
    }
    const receiverUser = world.users[senders]!;
    const receiver = await startCore(url, receiverUser, seededRandom(seed + 1000));
    cores.push(receiver);

    let writing = true;
    let tick = 0;
    const writer = (async () => {
      for (let n = 0; writing && n < 1_000_000; n++) {
        tick++;
        for (let i = 0; i < size.coreSenders; i++) {
          const conversationId = targets(i)[tick % targets(i).length]!;
          const body = `core${i} message ${tick}`;
          cores[i]!.outbox.send(conversationId, body);
          coreWrites[i]!.written.push({ conversationId, body });
        }
        for (let i = 0; i < size.rawSenders; i++) {
          const t = targets(size.coreSenders + i);
          raws[i]!.write(t[tick % t.length]!, `raw${i} message ${tick}`);
        }
        await sleep(size.writeEveryMs);
      }
    })();

    const kills = report.row('kill -9 while clients write', `SIGKILL of the server process, restart on the same port and file; ${senders} senders writing every ${size.writeEveryMs} ms`);
    const restartMs: number[] = [];
    for (let k = 0; k < size.kills; k++) {
      await sleep(between(random, size.upMs[0], size.upMs[1]));
      await server.kill9();
      kills.count++;
      await sleep(between(random, 0, 300));
      const t0 = Date.now();
      server = await restartOnPort(dbPath, port);
      restartMs.push(Date.now() - t0);
      log(`kill ${k + 1}/${size.kills}: restarted in ${restartMs.at(-1)} ms`);
    }
    await sleep(500);
    writing = false;
    await writer;

    const drained = (): boolean => cores.every((c) => c.outbox.pendingCount() === 0) && raws.every((r) => r.pendingCount() === 0);
    try {
      await waitFor(drained, 'every outbox to drain', size.drainTimeoutMs, 50);
    } catch (error) {
      report.fail(kills, (error as Error).message);
    }
    const total = coreWrites.reduce((n, w) => n + w.written.length, 0) + raws.reduce((n, r) => n + r.written.length, 0);
    // The receiver has caught up when it holds as many group messages as were written to the group.
    const groupWritten =
      coreWrites.reduce((n, w) => n + w.written.filter((m) => m.conversationId === world.groupId).length, 0) +
      raws.reduce((n, r) => n + r.written.filter((m) => m.conversationId === world.groupId).length, 0);
    await waitFor(() => receiver.store.messagesOf(world.groupId).length >= groupWritten, 'the receiver to catch up', size.drainTimeoutMs, 50).catch((e: Error) =>
      report.fail(kills, e.message),
    );
    await sleep(200);

    // Acknowledgements the cores hold: their own messages, with the seq the server gave.
    for (let i = 0; i < size.coreSenders; i++) {
      const self = world.users[i]!.id;
      for (const conversationId of targets(i)) {
        for (const m of cores[i]!.store.messagesOf(conversationId)) if (m.kind === 'message' && m.senderId === self) coreWrites[i]!.acked.set(m.body, m.seq);
      }
    }
    const writers: Writer[] = [
      ...coreWrites,
      ...raws.map((r) => ({
        name: r.name,
        written: r.written,
        acked: new Map([...r.acked].map(([id, seq]) => [r.written.find((m) => m.clientMessageId === id)!.body, seq])),
      })),
    ];
    const receivers: Receiver[] = [
      { name: 'receiver core', conversationId: world.groupId, messages: receiver.store.messagesOf(world.groupId).map((m) => ({ seq: m.seq, body: m.kind === 'message' ? m.body : '' })) },
      ...cores.slice(0, size.coreSenders).map((c, i) => ({
        name: `core${i}`,
        conversationId: world.groupId,
        messages: c.store.messagesOf(world.groupId).map((m) => ({ seq: m.seq, body: m.kind === 'message' ? m.body : '' })),
      })),
    ];
    for (const c of cores) await c.stop();
    for (const r of raws) r.stop();
    await server.stop();
    server = null;

    const read = new Database(dbPath, { readonly: true });
    const stored = read
      .prepare('SELECT id, conversation_id AS conversationId, seq, sender_id AS senderId, client_message_id AS clientMessageId, body, sent_at AS sentAt FROM messages')
      .all() as Message[];
    read.close();
    kills.figures = {
      messagesWritten: total,
      messagesStored: stored.length,
      restartMsMedian: restartMs.sort((a, b) => a - b)[Math.floor(restartMs.length / 2)] ?? 0,
      rawReconnects: raws.reduce((n, r) => n + r.connects, 0),
    };
    report.note(`crash: ${kills.count} kills, ${total} messages written, ${stored.length} stored`);
    checkDelivery(report, stored, writers, receivers);
  } finally {
    for (const c of cores) await c.stop().catch(() => {});
    for (const r of raws) r.stop();
    if (server) await server.kill9();
    rmSync(dir, { recursive: true, force: true });
  }
  return report;
}

/** A killed server's port is free at once on Linux, but retry briefly in case. */
async function restartOnPort(dbPath: string, port: number): Promise<ChildServer> {
  let last: unknown;
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      return await startChild({ dbPath, port });
    } catch (error) {
      last = error;
      await sleep(200);
    }
  }
  throw last;
}

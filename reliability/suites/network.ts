import type { ClientCore } from '../../src/core/create-client-core';
import type { Message } from '../../src/protocol/index';
import { startServer, type RunningServer } from '../../server/app';
import { CHEAP_SCRYPT } from '../../server/test/harness';
import { ChaosProxy } from '../lib/chaos-proxy';
import { startCore } from '../lib/core-client';
import { checkDelivery, type Receiver, type Writer } from '../lib/delivery-check';
import { seededRandom } from '../lib/random';
import { Report } from '../lib/results';
import { sleep, waitFor } from '../lib/wait';
import { seedWorld } from '../lib/world';

/**
 * Network: every client core talks to the server through a ChaosProxy that
 * cuts connections at random byte counts (often mid-frame, half of them by
 * TCP reset), stalls and delays them. The cores keep writing; after the
 * proxy has made its cuts, every outbox drains and every history must match
 * the server's.
 */
export interface NetworkSize {
  cuts: number;
  cores: number;
  writeEveryMs: number;
  cutAfterBytes: [number, number];
  stallChance: number;
  timeoutMs: number;
}

export const NETWORK_SIZES: Record<'ci' | 'long', NetworkSize> = {
  ci: { cuts: 100, cores: 8, writeEveryMs: 60, cutAfterBytes: [40, 6_000], stallChance: 0.01, timeoutMs: 40_000 },
  long: { cuts: 2000, cores: 16, writeEveryMs: 80, cutAfterBytes: [40, 12_000], stallChance: 0.02, timeoutMs: 900_000 },
};

export async function runNetwork(size: NetworkSize, seed: number, log: (line: string) => void = () => {}): Promise<Report> {
  const report = new Report('network', size === NETWORK_SIZES.long ? 'long' : 'ci', seed, log);
  const random = seededRandom(seed);
  let server: RunningServer | null = null;
  let proxy: ChaosProxy | null = null;
  const cores: ClientCore[] = [];
  try {
    server = await startServer({ port: 0, dbPath: ':memory:', logLevel: 'silent', scrypt: CHEAP_SCRYPT });
    const world = await seedWorld(server.seeder, size.cores, 'net');
    proxy = new ChaosProxy({
      upstreamPort: server.port,
      random,
      cutAfterBytes: size.cutAfterBytes,
      stallChance: size.stallChance,
      stallMs: [200, 1500],
      delayMs: [0, 5],
      maxCuts: size.cuts,
    });
    const port = await proxy.listen();
    const url = `ws://127.0.0.1:${port}/ws`;
    for (let i = 0; i < size.cores; i++) cores.push(await startCore(url, world.users[i]!, seededRandom(seed + i + 1)));
    const writers: Writer[] = cores.map((_, i) => ({ name: `core${i}`, written: [], acked: new Map() }));
    const targets = (i: number): string[] => {
      const direct = world.directIds[Math.floor(i / 2)];
      return direct ? [world.groupId, direct] : [world.groupId];
    };

    const cutsRow = report.row('connections cut, stalled and delayed', `${size.cores} client cores writing every ${size.writeEveryMs} ms through the chaos proxy`);
    const started = Date.now();
    let lastLog = 0;
    for (let tick = 1; proxy.cutting && tick < 10_000_000; tick++) {
      if (Date.now() - started > size.timeoutMs) {
        report.fail(cutsRow, `only ${proxy.stats.cuts} cuts within ${size.timeoutMs} ms`);
        break;
      }
      for (let i = 0; i < cores.length; i++) {
        const t = targets(i);
        const conversationId = t[tick % t.length]!;
        const body = `core${i} says ${tick}`;
        cores[i]!.outbox.send(conversationId, body);
        writers[i]!.written.push({ conversationId, body });
      }
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        log(`network: ${proxy.stats.cuts}/${size.cuts} cuts, ${writers[0]!.written.length * cores.length} messages written`);
      }
      await sleep(size.writeEveryMs);
    }
    cutsRow.count = proxy.stats.cuts;
    const drainMs = Math.max(20_000, size.timeoutMs / 4);
    await waitFor(() => cores.every((c) => c.outbox.pendingCount() === 0), 'every outbox to drain', drainMs, 50).catch((e: Error) =>
      report.fail(cutsRow, e.message),
    );
    const db = server.db;
    const latest = new Map((db.prepare('SELECT id, latest_seq AS n FROM conversations').all() as { id: string; n: number }[]).map((r) => [r.id, r.n]));
    const caughtUp = (): boolean =>
      cores.every((c, i) => targets(i).every((id) => c.store.messagesOf(id).length === latest.get(id)));
    await waitFor(caughtUp, 'every core to hold the full history of its conversations', drainMs, 50).catch((e: Error) => report.fail(cutsRow, e.message));

    const stored = db
      .prepare('SELECT id, conversation_id AS conversationId, seq, sender_id AS senderId, client_message_id AS clientMessageId, body, sent_at AS sentAt FROM messages')
      .all() as Message[];
    cores.forEach((c, i) => {
      const self = world.users[i]!.id;
      for (const id of targets(i)) for (const m of c.store.messagesOf(id)) if (m.kind === 'message' && m.senderId === self) writers[i]!.acked.set(m.body, m.seq);
    });
    const receivers: Receiver[] = cores.flatMap((c, i) =>
      targets(i).map((id) => ({ name: `core${i}`, conversationId: id, messages: c.store.messagesOf(id).map((m) => ({ seq: m.seq, body: m.kind === 'message' ? m.body : '' })) })),
    );
    cutsRow.figures = { ...proxy.stats, messagesWritten: writers.reduce((n, w) => n + w.written.length, 0), messagesStored: stored.length, seconds: Math.round((Date.now() - started) / 1000) };
    report.note(`network: ${proxy.stats.cuts} cuts (${proxy.stats.cutsMidChunk} mid-chunk, ${proxy.stats.resets} resets, ${proxy.stats.stalls} stalls), ${stored.length} messages stored`);
    checkDelivery(report, stored, writers, receivers);
  } finally {
    for (const c of cores) await c.stop().catch(() => {});
    await proxy?.close();
    await server?.close();
  }
  return report;
}

import { readFileSync } from 'node:fs';
import { ProtocolClient } from '../generator/protocol-client';
import { SocketIoClient } from '../generator/socketio-client';
import type { ArrivedMessage, BenchClient, ClientSink } from '../generator/bench-client';
import { buildPlans, directPairs } from '../generator/population';
import { sourceAddresses } from '../lib/options';
import { readProcCpuMs } from '../lib/proc-memory';
import { meanBatch, readCommitCounters } from '../lib/server-metrics';
import { launchTarget } from '../targets/launch';
import { TARGET_LABELS, isTidings, type TargetKind } from '../targets/target';
import { type ScenarioContext, type ScenarioReport, round, table } from './context';

/**
 * Server CPU per one-to-one send at a FIXED batch: `--batch` senders (each in
 * its own direct conversation, the partner subscribed) send one message each
 * at the same moment; the next round starts when every ack and every
 * delivery of this one has arrived. This is a closed loop, not the open
 * model of `chat`: it does not measure latency under load, but its cost per
 * send does not depend on how late the server was running (in `chat` a
 * stalled server commits bigger batches, which are cheaper per message, so
 * two runs' CPU per send differ with the machine's background load).
 * Server CPU is read from /proc for the whole process and for its main
 * thread alone (the event loop, which is what saturates first).
 */
interface CostResult {
  batch: number;
  rounds: number;
  sends: number;
  cpuUsPerSend: number;
  mainThreadUsPerSend: number;
  meanCommitBatch: number | null;
  bytesPerSend: number;
  roundsPerSecond: number;
}

/** User plus system CPU of one thread (/proc/<pid>/task/<tid>/stat), ms. */
const SPREAD = 16;

function threadCpuMs(pid: number, tid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

async function measure(ctx: ScenarioContext, kind: TargetKind, batch: number): Promise<CostResult> {
  const o = ctx.options;
  // Each round's senders are the next `batch` of SPREAD * batch pairs, so that one socket sends at a
  // SPREADth of the round rate: under the per-socket rate limit (50 commands/s) at any round rate seen here.
  const pairs = SPREAD * batch;
  const shape = { users: 2 * pairs, conversations: directPairs(2 * pairs) };
  const target = await launchTarget(kind, shape, `${ctx.runId}${kind}${batch}`, { baselineCheckout: o.baselineCheckout });
  const clients: BenchClient[] = [];
  try {
    let waiting = 0;
    let bytes = 0;
    let roundDone: (() => void) | null = null;
    const settle = (): void => {
      if (--waiting === 0) roundDone?.();
    };
    const errors: string[] = [];
    const sink: ClientSink = {
      onAck: settle,
      // The sender's own copy (a Tidings socket is subscribed too) is not the delivery being waited for.
      onArrival: (c: BenchClient, m: ArrivedMessage) => m.senderId !== c.userId && settle(),
      onError: (code) => errors.push(code),
      onClose: (_c, code) => errors.push(`CLOSE_${code}`),
      onNotice: () => undefined,
      onBytes: (n) => (bytes += n),
    };
    const addresses = sourceAddresses(o.sourceAddresses);
    for (const plan of buildPlans(shape, target.seeded)) {
      const options = {
        index: plan.index,
        url: target.url,
        token: plan.token,
        conversationIds: plan.conversations.map((c) => c.id),
        subscribeConversations: true,
        localAddress: addresses[plan.index % addresses.length]!,
        body: 'x'.repeat(o.bodyBytes),
        sink,
      };
      clients.push(target.transport === 'socketio' ? new SocketIoClient(options) : new ProtocolClient(options));
    }
    await Promise.all(clients.map((c) => c.connect()));
    const conversationIds = target.seeded.conversationIds;
    let counter = 0;
    let turn = 0;
    const round1 = async (): Promise<void> => {
      waiting = 2 * batch; // an ack and a delivery per send
      const done = new Promise<void>((resolve) => (roundDone = resolve));
      const first = (turn++ % SPREAD) * batch;
      for (let i = first; i < first + batch; i++) clients[2 * i]!.send(conversationIds[i]!, `cost-${counter++}`);
      await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`round timed out; errors: ${errors.join(',')}`)), 10_000))]);
    };
    // Warm-up: JIT, caches, the WAL's first pages.
    for (let r = 0; r < Math.max(5, Math.floor(o.costRounds / 5)); r++) await round1();
    const commits0 = isTidings(kind) ? await readCommitCounters(target.url) : null;
    const cpu0 = readProcCpuMs(target.pid);
    const main0 = threadCpuMs(target.pid, target.pid);
    bytes = 0;
    const t0 = performance.now();
    progressNote(ctx, `${TARGET_LABELS[kind]}: batch ${batch}, ${o.costRounds} rounds`);
    for (let r = 0; r < o.costRounds; r++) await round1();
    const wallMs = performance.now() - t0;
    const cpuMs = readProcCpuMs(target.pid) - cpu0;
    const mainMs = threadCpuMs(target.pid, target.pid) - main0;
    const sends = o.costRounds * batch;
    const commits1 = isTidings(kind) ? await readCommitCounters(target.url) : null;
    if (errors.length) throw new Error(`${TARGET_LABELS[kind]}: errors during the cost rounds: ${errors.slice(0, 5).join(', ')}`);
    const mean = meanBatch(commits0, commits1);
    return {
      batch,
      rounds: o.costRounds,
      sends,
      cpuUsPerSend: round((cpuMs * 1000) / sends, 1),
      mainThreadUsPerSend: round((mainMs * 1000) / sends, 1),
      meanCommitBatch: mean === null ? null : round(mean, 1),
      bytesPerSend: round(bytes / sends, 0),
      roundsPerSecond: round((o.costRounds * 1000) / wallMs, 0),
    };
  } finally {
    for (const c of clients) c.close();
    await target.stop();
  }
}

function progressNote(ctx: ScenarioContext, text: string): void {
  ctx.progress.note(text);
}

export async function costScenario(ctx: ScenarioContext): Promise<ScenarioReport> {
  const o = ctx.options;
  const targets = o.targets;
  const results: Partial<Record<TargetKind, CostResult[]>> = {};
  // Targets alternate per batch size, so that a change in background load falls on all of them.
  for (const batch of o.costBatches) {
    for (const kind of targets) (results[kind] ??= []).push(await measure(ctx, kind, batch));
  }
  const rows = targets.flatMap((k) =>
    results[k]!.map((r) => [TARGET_LABELS[k], r.batch, r.sends, r.cpuUsPerSend, r.mainThreadUsPerSend, r.meanCommitBatch ?? '-', r.bytesPerSend, r.roundsPerSecond]),
  );
  return {
    title: 'Server CPU per send at a fixed batch',
    markdown: [
      `Closed loop: in each round \`batch\` senders, each in its own direct conversation with a subscribed partner (both subscribed to \`conversations\` and the conversation's messages), send one ${o.bodyBytes}-byte message at the same moment; the next round starts once every ack and delivery arrived. ${o.costRounds} measured rounds per batch size after a warm-up. The Socket.IO targets are driven by their own client: one emit per send, the ack and one broadcast to the partner.`,
      '',
      table(['target', 'batch (sends per round)', 'sends', 'server CPU µs/send (process)', 'main thread µs/send', 'mean commit batch', 'bytes received per send', 'rounds/s'], rows),
    ].join('\n'),
    data: { results },
    charts: [],
    generatorCpuMs: 0,
    verdicts: [],
  };
}

import { meanBatch, readCommitCounters } from '../lib/server-metrics';
import type { LatencySummary } from '../lib/latency';
import { type ScenarioContext, round } from './context';
import type { Session } from './session';
import { isTidings } from '../targets/target';

/**
 * One load step: a fixed arrival rate for a fixed time, then drain, then the
 * merged counts and percentiles, with the server's and the generator's CPU
 * over the same interval. Several steps at rising rates make a ramp that
 * stops at the first step over the latency limit.
 */
export interface StepResult {
  offered: number;
  seconds: number;
  sent: number;
  acked: number;
  ackedPerSecond: number;
  delivered: number;
  expectedDeliveries: number;
  deliveredPerSecond: number;
  outOfOrder: number;
  ack: LatencySummary;
  delivery: LatencySummary;
  errors: Record<string, number>;
  /** CPU of the server process over the step, in percent of one core. */
  serverCpuPercent: number;
  /** Server CPU time per acked send: the cost figure that background noise barely moves. */
  serverCpuUsPerSend: number;
  /** Bytes all clients received per acked send: acks, notifications, everything. */
  receivedBytesPerSend: number;
  /** Real server only: mean messages per group commit over the step (CPU per send falls as it grows); null elsewhere. */
  meanCommitBatch: number | null;
  generatorCpuPercent: number;
  serverRssMiB: number;
  pass: boolean;
}

/** A p99 this high means the target is queueing without bound, not having a noisy moment. */
export const SATURATED_P99_MS = 5000;

/** Median server CPU per acked send over the steps: what one message costs, barely moved by background noise. */
export function cpuPerSend(steps: StepResult[]): number {
  const v = steps.map((s) => s.serverCpuUsPerSend).sort((a, b) => a - b);
  return v.length ? v[Math.floor(v.length / 2)]! : 0;
}

export function stepPasses(r: Omit<StepResult, 'pass'>, limitMs: number, judge: 'ack' | 'delivery'): boolean {
  const errorCount = Object.values(r.errors).reduce((a, b) => a + b, 0);
  const p99 = judge === 'ack' ? r.ack.p99 : Math.max(r.ack.p99, r.delivery.p99);
  return r.sent > 0 && p99 <= limitMs && r.acked >= r.sent && errorCount <= r.sent * 0.001 && r.delivered >= r.expectedDeliveries;
}

export async function runStep(ctx: ScenarioContext, s: Session, offered: number, judge: 'ack' | 'delivery', senders: number[] | 'all' = 'all', seconds = ctx.options.stepSeconds): Promise<StepResult> {
  const { progress } = ctx;
  const commits0 = isTidings(s.kind) ? await readCommitCounters(s.target.url) : null;
  const cpu0 = s.serverCpuMs();
  const t0 = performance.now();
  progress.track(`${s.label} ${offered}/s`, async () => {
    const st = await s.pool.stats();
    return `sent ${st.sent} acked ${st.acked} delivered ${st.delivered}/${st.expectedDeliveries} errors ${st.errors}`;
  });
  try {
    await s.pool.load(offered, seconds * 1000, 3000, senders);
    await s.pool.settle(3000);
  } finally {
    progress.stop();
  }
  const wallMs = performance.now() - t0;
  const cpuMs = s.serverCpuMs() - cpu0;
  const batch = isTidings(s.kind) ? meanBatch(commits0, await readCommitCounters(s.target.url)) : null;
  const p = await s.pool.collect();
  s.check();
  const base = {
    offered,
    seconds,
    sent: p.sent,
    acked: p.acked,
    ackedPerSecond: round(p.acked / seconds, 0),
    delivered: p.delivered,
    expectedDeliveries: p.expectedDeliveries,
    deliveredPerSecond: round(p.delivered / seconds, 0),
    outOfOrder: p.dupes,
    ack: p.ack,
    delivery: p.delivery,
    errors: p.errors,
    serverCpuPercent: round((cpuMs / wallMs) * 100, 0),
    serverCpuUsPerSend: round((cpuMs * 1000) / Math.max(1, p.acked), 0),
    receivedBytesPerSend: round(p.bytesIn / Math.max(1, p.acked), 0),
    meanCommitBatch: batch === null ? null : round(batch, 1),
    generatorCpuPercent: round((p.generatorCpuMs / Math.max(1, p.wallMs)) * 100, 0),
    serverRssMiB: round((s.memory()?.rss ?? 0) / 1048576, 0),
  };
  const result = { ...base, pass: stepPasses(base, ctx.options.p99LimitMs, judge) };
  progress.note(
    `${s.label} ${offered}/s: acked ${result.ackedPerSecond}/s p99 ack ${result.ack.p99} ms delivery ${result.delivery.p99} ms ${result.pass ? 'ok' : 'OVER'}`,
  );
  return result;
}

/**
 * Steps through `rates` past the latency limit, until the target saturates
 * (acks fall under 90% of offered, errors, or p99 over SATURATED_P99_MS)
 * or the time budget is spent: on a shared machine one noisy step must not
 * end the ramp, and the saturation rate is a second, steadier figure.
 */
export async function ramp(ctx: ScenarioContext, s: Session, rates: number[], judge: 'ack' | 'delivery'): Promise<StepResult[]> {
  const started = Date.now();
  const out: StepResult[] = [];
  for (const rate of rates) {
    if ((Date.now() - started) / 1000 > ctx.options.maxSeconds) {
      ctx.progress.note(`${s.label}: time budget spent, stopping the ramp at ${rate}/s`);
      break;
    }
    const r = await runStep(ctx, s, rate, judge);
    out.push(r);
    const errorCount = Object.values(r.errors).reduce((a, b) => a + b, 0);
    if (r.acked < r.offered * r.seconds * 0.9 || errorCount > r.sent * 0.001 || r.ack.p99 > SATURATED_P99_MS) break;
  }
  return out;
}

/** Highest acked rate of a step that kept up (acks >= 95% of offered, all delivered), whatever its latency. */
export function capacity(steps: StepResult[]): number {
  return steps.filter((r) => r.acked >= r.offered * r.seconds * 0.95 && r.delivered >= r.expectedDeliveries).reduce((m, r) => Math.max(m, r.ackedPerSecond), 0);
}

/** Highest offered rate that passed, or 0. */
export function sustained(steps: StepResult[]): number {
  return steps.filter((r) => r.pass).reduce((m, r) => Math.max(m, r.offered), 0);
}

/** Runs a step `repeat` times and keeps the one with the lower p99: a noisy neighbour's burst should not decide. */
export async function bestOf(ctx: ScenarioContext, s: Session, offered: number, judge: 'ack' | 'delivery'): Promise<StepResult> {
  let best: StepResult | null = null;
  for (let i = 0; i < ctx.options.repeat; i++) {
    const r = await runStep(ctx, s, offered, judge);
    const p99 = (x: StepResult): number => (judge === 'ack' ? x.ack.p99 : x.delivery.p99);
    if (!best || (r.pass && !best.pass) || (r.pass === best.pass && p99(r) < p99(best))) best = r;
    if (best.pass) break;
  }
  return best!;
}

/** The ramp of `ramp`, with every still-unsaturated target taking each rate in turn (order rotating per step). */
export async function interleavedRamp(ctx: ScenarioContext, sessions: Session[], rates: number[], judge: 'ack' | 'delivery'): Promise<Map<string, StepResult[]>> {
  const started = Date.now();
  const out = new Map<string, StepResult[]>(sessions.map((s) => [s.kind, []]));
  let active = [...sessions];
  for (const [i, rate] of rates.entries()) {
    if (active.length === 0) break;
    if ((Date.now() - started) / 1000 > ctx.options.maxSeconds * sessions.length) {
      ctx.progress.note(`time budget spent, stopping the ramp at ${rate}/s`);
      break;
    }
    const order = active.map((_, k) => active[(k + i) % active.length]!);
    for (const s of order) {
      const r = await bestOf(ctx, s, rate, judge);
      out.get(s.kind)!.push(r);
      const errorCount = Object.values(r.errors).reduce((a, b) => a + b, 0);
      if (r.acked < r.offered * r.seconds * 0.9 || errorCount > r.sent * 0.001 || r.ack.p99 > SATURATED_P99_MS) active = active.filter((x) => x !== s);
    }
  }
  return out;
}

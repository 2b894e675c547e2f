import { directPairs } from '../generator/population';
import { lineChart } from '../lib/svg-chart';
import { TARGET_LABELS, isTidings, type TargetKind } from '../targets/target';
import { type ScenarioContext, type ScenarioReport, errorsText, round, table } from './context';
import { defaultWorkers, withSessions } from './session';
import { bestOf, capacity, cpuPerSend, interleavedRamp, sustained, type StepResult } from './steps';

/** The throughput targets set for this machine: Tidings' sustained rate against the durable peer's and the ceiling's. */
const RATIO_TARGETS: { kind: TargetKind; factor: number }[] = [
  { kind: 'socketio-sqlite', factor: 2 },
  { kind: 'raw', factor: 0.5 },
];

/**
 * One-to-one chat throughput: users in direct pairs, sends at rising fixed
 * arrival rates. All targets are up at once and take each step in turn
 * (interleaved), so they share the machine's background noise. Each
 * Tidings server then runs once more at half its best rate within the
 * limit, after an idle pause (--settle-seconds).
 */
export async function chatScenario(ctx: ScenarioContext): Promise<ScenarioReport> {
  const o = ctx.options;
  const shape = { users: o.users, conversations: directPairs(o.users) };
  const results: Partial<Record<TargetKind, { steps: StepResult[]; half: StepResult | null; seedMs: number; connect: unknown }>> = {};
  let generatorCpuMs = 0;
  await withSessions(ctx, o.targets, shape, { workers: defaultWorkers(o.users, o.workers) }, async (sessions) => {
    for (const s of sessions) {
      const connect = await s.connect();
      if (connect.failed > 0) ctx.progress.note(`${s.label}: ${connect.failed} connects failed: ${errorsText(connect.errors)}`);
      results[s.kind] = { steps: [], half: null, seedMs: s.target.seedMs, connect };
    }
    const steps = await interleavedRamp(ctx, sessions, o.rates, 'ack');
    for (const s of sessions) results[s.kind]!.steps = steps.get(s.kind) ?? [];
    // Each Tidings server (this checkout's and the baseline's) runs once more at half its own sustained rate.
    const halved = sessions.filter((s) => isTidings(s.kind) && sustained(results[s.kind]!.steps) > 0);
    if (halved.length > 0) {
      // The ramp has just driven every target past saturation: the pause lets the server finish
      // what that left (checkpoints of a full WAL, buffers) before half the rate is measured. The
      // database stays as the ramp grew it (~700,000 more messages at the default rates), which
      // the step then measures too (docs/BENCHMARKS.md, "A grown database is slower").
      if (o.settleSeconds > 0) {
        ctx.progress.note(`settling ${o.settleSeconds} s before the half-rate step`);
        await new Promise((resolve) => setTimeout(resolve, o.settleSeconds * 1000));
      }
      for (const s of halved) results[s.kind]!.half = await bestOf(ctx, s, sustained(results[s.kind]!.steps) / 2, 'ack');
    }
    generatorCpuMs += sessions.reduce((sum, s) => sum + s.pool.totalCpuMs, 0);
  });
  const best = (k: TargetKind): number => sustained(results[k]?.steps ?? []);
  const rows: (string | number)[][] = [];
  for (const kind of o.targets) {
    const r = results[kind]!;
    for (const st of [...r.steps, ...(r.half ? [r.half] : [])]) {
      rows.push([
        TARGET_LABELS[kind] + (st === r.half ? ' (half rate)' : ''),
        st.offered,
        st.ackedPerSecond,
        `${st.ack.p50} / ${st.ack.p95} / ${st.ack.p99} / ${st.ack.p999} / ${st.ack.max}`,
        `${st.delivery.p50} / ${st.delivery.p99} / ${st.delivery.max}`,
        `${st.delivered}/${st.expectedDeliveries}`,
        st.serverCpuPercent,
        st.serverCpuUsPerSend,
        st.receivedBytesPerSend,
        st.meanCommitBatch ?? '-',
        st.generatorCpuPercent,
        errorsText(st.errors),
        st.pass ? 'yes' : 'NO',
      ]);
    }
  }
  const real = best('real');
  const halfP99 = results.real?.half?.ack.p99 ?? null;
  const bestReal = results.real?.steps.filter((s) => s.pass).at(-1);
  const maxStored = Math.max(0, ...(results.real?.steps ?? []).map((s) => s.ackedPerSecond));
  const ratio = (a: number, b: number): string => (b > 0 ? String(round(a / b, 2)) : '-');
  const verdicts: ScenarioReport['verdicts'] = [];
  for (const { kind, factor } of RATIO_TARGETS) {
    if (!results.real || !results[kind]) continue;
    const other = best(kind);
    verdicts.push({ target: `Tidings >= ${factor} x ${TARGET_LABELS[kind]}, sustained within p99 ${o.p99LimitMs} ms`, met: other > 0 ? real / other >= factor : null, detail: `${real}/s vs ${other}/s = ${ratio(real, other)}` });
  }
  if (results.real) {
    verdicts.push({ target: 'p99 ack < 25 ms at half the sustained rate', met: halfP99 === null ? null : halfP99 < 25, detail: halfP99 === null ? 'not run' : `${halfP99} ms at ${real / 2}/s, after ${o.settleSeconds} s idle following the ramp` });
    verdicts.push({ target: '25,000 durably stored messages/s', met: maxStored >= 25_000, detail: `best acked ${maxStored}/s (${round((maxStored / 25_000) * 100, 0)}%), sustained within limit ${bestReal?.ackedPerSecond ?? 0}/s` });
  }
  const chart = lineChart(
    [
      ...o.targets.map((kind) => ({ name: `${TARGET_LABELS[kind]} p99`, points: (results[kind]?.steps ?? []).map((s) => [s.offered, s.ack.p99] as [number, number]) })),
      ...o.targets.filter(isTidings).map((kind) => ({ name: `${TARGET_LABELS[kind]} p50`, points: (results[kind]?.steps ?? []).map((s) => [s.offered, s.ack.p50] as [number, number]) })),
    ],
    { title: 'One-to-one: ack latency against offered load', xLabel: 'offered sends/s', yLabel: 'latency ms (log)', threshold: { y: o.p99LimitMs, label: `${o.p99LimitMs} ms` }, logY: true },
  );
  // Tidings against every other target that ran: sustained rate, capacity and CPU per send.
  const comparisons = o.targets.filter((k) => k !== 'real' && results.real && results[k]).map((k) => {
    const steps = results[k]!.steps;
    return [`Tidings / ${TARGET_LABELS[k]}`, ratio(real, best(k)), ratio(capacity(results.real!.steps), capacity(steps)), ratio(cpuPerSend(results.real!.steps), cpuPerSend(steps))];
  });
  const markdown = [
    `${o.users} users in ${shape.conversations.length} direct conversations, body ${o.bodyBytes} bytes, steps of ${o.stepSeconds} s; latency from the scheduled send time (open model).`,
    '',
    table(['target', 'offered/s', 'acked/s', 'ack ms p50/p95/p99/p99.9/max', 'delivery ms p50/p99/max', 'delivered', 'server CPU %', 'server CPU µs/send', 'bytes received per send', 'mean commit batch', 'generator CPU %', 'errors', 'within limit'], rows),
    '',
    table(['target', `sustained sends/s (p99 ack <= ${o.p99LimitMs} ms, no errors)`, 'capacity: best acked/s keeping up, any latency', 'server CPU µs per send (median of steps)', 'sends/s one core could carry at that cost'], o.targets.map((k) => [TARGET_LABELS[k], best(k), capacity(results[k]?.steps ?? []), cpuPerSend(results[k]?.steps ?? []), cpuPerSend(results[k]?.steps ?? []) > 0 ? Math.round(1e6 / cpuPerSend(results[k]!.steps)) : '-'])),
    '',
    comparisons.length ? table(['ratio', 'sustained', 'capacity', 'server CPU per send'], comparisons) : '',
  ].join('\n');
  return {
    title: 'One-to-one chat throughput',
    markdown,
    data: { shape: { users: o.users, conversations: shape.conversations.length }, results, sustained: Object.fromEntries(o.targets.map((k) => [k, best(k)])), capacity: Object.fromEntries(o.targets.map((k) => [k, capacity(results[k]?.steps ?? [])])), cpuPerSendUs: Object.fromEntries(o.targets.map((k) => [k, cpuPerSend(results[k]?.steps ?? [])])) },
    charts: [{ file: 'chat-latency.svg', title: 'Ack latency against offered load', svg: chart }],
    generatorCpuMs,
    verdicts,
  };
}

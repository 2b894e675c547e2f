import { groupsOf } from '../generator/population';
import { lineChart } from '../lib/svg-chart';
import { TARGET_LABELS, type TargetKind } from '../targets/target';
import { type ScenarioContext, type ScenarioReport, errorsText, table } from './context';
import { defaultWorkers, withSessions } from './session';
import { interleavedRamp, sustained, type StepResult } from './steps';

/**
 * Group fan-out: users in groups of each size; a random member sends into
 * its group. Offered load is stated in deliveries per second (sends times
 * members - 1), and a step passes when every delivery's p99 is in the limit.
 */
export async function fanoutScenario(ctx: ScenarioContext): Promise<ScenarioReport> {
  const o = ctx.options;
  const results: { size: number; kind: TargetKind; steps: StepResult[] }[] = [];
  let generatorCpuMs = 0;
  for (const size of o.groupSizes) {
    const users = Math.max(size, Math.floor(o.users / size) * size);
    const shape = { users, conversations: groupsOf(users, size) };
    const rates = o.fanoutDeliveryRates.map((d) => Math.max(1, Math.round(d / (size - 1))));
    await withSessions(ctx, o.targets, shape, { workers: defaultWorkers(users, o.workers) }, async (sessions) => {
      for (const s of sessions) await s.connect();
      const steps = await interleavedRamp(ctx, sessions, rates, 'delivery');
      for (const s of sessions) results.push({ size, kind: s.kind, steps: steps.get(s.kind) ?? [] });
      generatorCpuMs += sessions.reduce((sum, s) => sum + s.pool.totalCpuMs, 0);
    });
  }
  const rows = results.flatMap((r) =>
    r.steps.map((st) => [
      r.size,
      TARGET_LABELS[r.kind],
      st.offered,
      st.offered * (r.size - 1),
      st.deliveredPerSecond,
      `${st.ack.p50} / ${st.ack.p99}`,
      `${st.delivery.p50} / ${st.delivery.p95} / ${st.delivery.p99} / ${st.delivery.p999} / ${st.delivery.max}`,
      `${st.delivered}/${st.expectedDeliveries}`,
      st.serverCpuPercent,
      st.serverCpuUsPerSend,
      st.receivedBytesPerSend,
      errorsText(st.errors),
      st.pass ? 'yes' : 'NO',
    ]),
  );
  const charts = o.groupSizes.map((size) => ({
    file: `fanout-${size}.svg`,
    title: `Groups of ${size}: delivery p99 against offered deliveries/s`,
    svg: lineChart(
      results.filter((r) => r.size === size).map((r) => ({ name: `${TARGET_LABELS[r.kind]} p99 delivery`, points: r.steps.map((s) => [s.offered * (size - 1), s.delivery.p99] as [number, number]) })),
      { title: `Groups of ${size}: delivery latency`, xLabel: 'offered deliveries/s', yLabel: 'p99 ms (log)', threshold: { y: o.p99LimitMs, label: `${o.p99LimitMs} ms` }, logY: true },
    ),
  }));
  const summary = results.map((r) => [r.size, TARGET_LABELS[r.kind], sustained(r.steps) * (r.size - 1)]);
  const bytes = bytesAgainstRelay(results);
  return {
    title: 'Group fan-out',
    markdown: [
      `Groups of ${o.groupSizes.join(' and ')} (about ${o.users} users each run), every member connected and subscribed; steps of ${o.stepSeconds} s.`,
      '',
      table(['group size', 'target', 'sends/s', 'offered deliveries/s', 'delivered/s', 'ack ms p50/p99', 'delivery ms p50/p95/p99/p99.9/max', 'delivered', 'server CPU %', 'server CPU µs/send', 'bytes received per send', 'errors', 'within limit'], rows),
      '',
      table(['group size', 'target', `sustained deliveries/s (p99 <= ${o.p99LimitMs} ms)`], summary),
      '',
      'Bytes of frames received per send (every member\'s socket together), and the ratio to the raw relay\'s at the same step:',
      '',
      bytes.length > 0 ? table(['group size', 'target', 'sends/s', 'bytes per send', 'raw relay bytes per send', 'ratio to the relay'], bytes) : '(no raw relay in this run)',
    ].join('\n'),
    data: { results },
    charts,
    generatorCpuMs,
    verdicts: [],
  };
}

/** Per step that both a target and the raw relay ran: the target's bytes per send and its ratio to the relay's. */
function bytesAgainstRelay(results: { size: number; kind: TargetKind; steps: StepResult[] }[]): (string | number)[][] {
  const rows: (string | number)[][] = [];
  for (const r of results) {
    if (r.kind === 'raw') continue;
    const relay = results.find((x) => x.kind === 'raw' && x.size === r.size);
    if (!relay) continue;
    for (const st of r.steps) {
      const base = relay.steps.find((x) => x.offered === st.offered);
      if (!base || base.receivedBytesPerSend === 0) continue;
      rows.push([r.size, TARGET_LABELS[r.kind], st.offered, st.receivedBytesPerSend, base.receivedBytesPerSend, (st.receivedBytesPerSend / base.receivedBytesPerSend).toFixed(2)]);
    }
  }
  return rows;
}

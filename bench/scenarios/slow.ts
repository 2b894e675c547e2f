import { sleep } from '../lib/clock';
import { TARGET_LABELS, type TargetKind } from '../targets/target';
import { type ScenarioContext, type ScenarioReport, errorsText, round, table } from './context';
import { defaultWorkers, withSession } from './session';
import { runStep, type StepResult } from './steps';

/**
 * One slow consumer: user 0 belongs to every group and, in the second phase,
 * stops reading its socket (the ws client's underlying socket is paused).
 * The same fixed load runs with and without it; what matters is the other
 * members' p99 and whether the server cuts the slow one off past its buffer cap.
 */
interface SlowResult {
  without: StepResult;
  withSlow: StepResult;
  slow: { open: boolean; closeCode: number | null; delivered: number; notices: string[] } | null;
  rssBeforeMiB: number;
  rssPeakMiB: number;
}

export async function slowScenario(ctx: ScenarioContext): Promise<ScenarioReport> {
  const o = ctx.options;
  const size = o.slowGroupSize;
  const groups = Math.max(2, Math.min(20, Math.floor(o.users / size)));
  const users = 1 + groups * size;
  const conversations = Array.from({ length: groups }, (_, g) => [0, ...Array.from({ length: size }, (_, k) => 1 + g * size + k)]);
  const shape = { users, conversations };
  const senders = Array.from({ length: users - 1 }, (_, i) => i + 1);
  const results: Partial<Record<TargetKind, SlowResult>> = {};
  let generatorCpuMs = 0;
  for (const kind of o.targets) {
    results[kind] = await withSession(ctx, kind, shape, { workers: defaultWorkers(users, o.workers), bodyBytes: o.slowBodyBytes }, async (s) => {
      await s.connect();
      // User 0 is measured by the probe, not the histograms: both phases then time the same readers.
      await s.pool.mute([0]);
      const without = await runStep(ctx, s, o.slowRate, 'delivery', senders, o.slowSeconds);
      const rssBefore = s.memory()?.rss ?? 0;
      await s.pool.pause([0]);
      let peak = rssBefore;
      const sampler = setInterval(() => (peak = Math.max(peak, s.memory()?.rss ?? 0)), 250);
      const withSlow = await runStep(ctx, s, o.slowRate, 'delivery', senders, o.slowSeconds).finally(() => clearInterval(sampler));
      await s.pool.pause([0], true);
      await sleep(Math.min(1500, o.slowSeconds * 1000));
      const [slow] = await s.pool.probe([0]);
      generatorCpuMs += s.pool.totalCpuMs;
      return { without, withSlow, slow: slow ?? null, rssBeforeMiB: round(rssBefore / 1048576), rssPeakMiB: round(peak / 1048576) };
    });
  }
  const rows = o.targets.map((k) => {
    const r = results[k]!;
    const move = r.without.delivery.p99 > 0 ? round(((r.withSlow.delivery.p99 - r.without.delivery.p99) / r.without.delivery.p99) * 100, 0) : 0;
    return [
      TARGET_LABELS[k],
      `${r.without.delivery.p50} / ${r.without.delivery.p99} / ${r.without.delivery.max}`,
      `${r.withSlow.delivery.p50} / ${r.withSlow.delivery.p99} / ${r.withSlow.delivery.max}`,
      `${move}%`,
      `${r.without.ack.p99} -> ${r.withSlow.ack.p99}`,
      r.slow ? (r.slow.open ? 'still open' : `closed ${r.slow.closeCode}`) : '?',
      r.slow ? r.slow.notices.slice(0, 4).join(', ') || '-' : '-',
      `${r.rssBeforeMiB} -> peak ${r.rssPeakMiB}`,
      errorsText(r.withSlow.errors),
    ];
  });
  const real = results.real;
  const realMove = real && real.without.delivery.p99 > 0 ? (real.withSlow.delivery.p99 - real.without.delivery.p99) / real.without.delivery.p99 : null;
  const verdicts: ScenarioReport['verdicts'] = real
    ? [
        { target: 'slow consumer cut off or told to resync past the buffer cap', met: real.slow ? !real.slow.open || real.slow.notices.length > 0 : null, detail: real.slow ? `${real.slow.open ? 'still open' : `closed with ${real.slow.closeCode}`}; notices: ${real.slow.notices.join(', ') || 'none'}` : 'no probe' },
        // A p99 that falls by more than 10% with a consumer stalled is background noise, not a result.
        { target: "others' p99 moves < 10%", met: realMove === null || realMove < -0.1 ? null : realMove < 0.1, detail: `${real.without.delivery.p99} ms -> ${real.withSlow.delivery.p99} ms (${realMove === null ? '-' : round(realMove * 100, 0)}%)` },
      ]
    : [];
  return {
    title: 'One slow consumer',
    markdown: [
      `${groups} groups of ${size} plus user 0, who is in every group and so receives every message. ${o.slowRate} sends/s of ${o.slowBodyBytes}-byte bodies for ${o.slowSeconds} s, first with everyone reading, then with user 0's socket paused (it stops reading). Delivery latency is over the other members only (user 0's arrivals are not counted in either phase), so each send should reach members - 2 readers.`,
      '',
      table(['target', 'delivery ms p50/p99/max without', 'with slow consumer', "others' p99 move", 'ack p99 ms', 'slow consumer after', 'its notices', 'server RSS MiB', 'errors (with)'], rows),
    ].join('\n'),
    data: { groups, size, results },
    charts: [],
    generatorCpuMs,
    verdicts,
  };
}

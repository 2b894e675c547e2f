import { sleep } from '../lib/clock';
import { TARGET_LABELS, isTidings, type TargetKind } from '../targets/target';
import { type ScenarioContext, type ScenarioReport, errorsText, round, table } from './context';
import { defaultWorkers, withSession, type Session } from './session';
import { runStep, type StepResult } from './steps';

/**
 * One slow consumer: user 0 belongs to every group and, in "with" windows,
 * stops reading its socket (the ws client's underlying socket is paused).
 * What matters is the other members' delivery p99 with and without it, and
 * whether the server cuts the slow one off past its buffer cap.
 *
 * Two long windows (one without, one with) could not show a 10% effect: the
 * p99 of one window on this shared machine moves by more than that on its
 * own. So the same fixed load runs in `--slow-pairs` pairs of short windows,
 * the order inside a pair alternating (without/with, with/without, ...), so
 * that drifting background load falls on both sides alike. The figure is the
 * median over pairs of the p99 move inside a pair; the spread of the moves
 * and of the "without" windows is reported next to it as the noise.
 * Between windows the slow consumer reads again; if the server closed it,
 * it reconnects (and catches up from history) before the next window, so
 * every "with" window starts with a live consumer that stops reading.
 */
interface Window {
  phase: 'without' | 'with';
  step: StepResult;
  /** "with" windows: the consumer's state at the end of the window. */
  slow?: { open: boolean; closeCode: number | null; notices: string[] };
}

interface SlowResult {
  windows: Window[];
  /** Per pair: (with p99 - without p99) / without p99. */
  moves: number[];
  withoutP99: number[];
  withP99: number[];
  cutOff: number;
  reconnects: { ok: number; complete: number; missing: number; dupes: number };
  rssBeforeMiB: number;
  rssPeakMiB: number;
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function slowWindow(ctx: ScenarioContext, s: Session, kind: TargetKind, senders: number[], r: SlowResult, sample: () => void): Promise<Window> {
  const o = ctx.options;
  await s.pool.pause([0]);
  const sampler = setInterval(sample, 250);
  const step = await runStep(ctx, s, o.slowRate, 'delivery', senders, o.slowSeconds).finally(() => clearInterval(sampler));
  await s.pool.pause([0], true);
  // Let a baseline's backlog drain to the consumer before the next window.
  await sleep(Math.min(1000, o.slowSeconds * 1000));
  const [slow] = await s.pool.probe([0]);
  if (slow && !slow.open) {
    r.cutOff++;
    // The real server closed it: it returns and catches up, as a client would, so the next "with" window has one again.
    if (isTidings(kind)) {
      const back = await s.pool.reconnect([0]);
      r.reconnects.ok += back.ok;
      r.reconnects.complete += back.complete;
      r.reconnects.missing += back.missing;
      r.reconnects.dupes += back.dupes;
      await s.pool.mute([0]);
    }
  }
  return { phase: 'with', step, slow: slow ? { open: slow.open, closeCode: slow.closeCode, notices: slow.notices } : undefined };
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
      // A first window warms the server up (JIT, caches); it is not counted.
      await runStep(ctx, s, o.slowRate, 'delivery', senders, o.slowSeconds);
      const rssBefore = s.memory()?.rss ?? 0;
      let peak = rssBefore;
      const sample = (): void => void (peak = Math.max(peak, s.memory()?.rss ?? 0));
      const r: SlowResult = { windows: [], moves: [], withoutP99: [], withP99: [], cutOff: 0, reconnects: { ok: 0, complete: 0, missing: 0, dupes: 0 }, rssBeforeMiB: 0, rssPeakMiB: 0 };
      for (let pair = 0; pair < o.slowPairs; pair++) {
        const order: Window['phase'][] = pair % 2 === 0 ? ['without', 'with'] : ['with', 'without'];
        const inPair: Partial<Record<Window['phase'], Window>> = {};
        for (const phase of order) {
          const w = phase === 'with' ? await slowWindow(ctx, s, kind, senders, r, sample) : { phase, step: await runStep(ctx, s, o.slowRate, 'delivery', senders, o.slowSeconds) };
          r.windows.push(w);
          inPair[phase] = w;
        }
        const without = inPair.without!.step.delivery.p99;
        const withSlow = inPair.with!.step.delivery.p99;
        r.withoutP99.push(without);
        r.withP99.push(withSlow);
        r.moves.push(without > 0 ? (withSlow - without) / without : 0);
      }
      generatorCpuMs += s.pool.totalCpuMs;
      r.rssBeforeMiB = round(rssBefore / 1048576);
      r.rssPeakMiB = round(peak / 1048576);
      return r;
    });
  }
  const pct = (x: number): string => `${round(x * 100, 0)}%`;
  const rows = o.targets.map((k) => {
    const r = results[k]!;
    const withWindows = r.windows.filter((w) => w.phase === 'with');
    const last = withWindows[withWindows.length - 1]?.slow;
    return [
      TARGET_LABELS[k],
      `${round(median(r.withoutP99), 2)} (${round(Math.min(...r.withoutP99), 2)}-${round(Math.max(...r.withoutP99), 2)})`,
      `${round(median(r.withP99), 2)} (${round(Math.min(...r.withP99), 2)}-${round(Math.max(...r.withP99), 2)})`,
      `**${pct(median(r.moves))}**`,
      r.moves.map(pct).join(', '),
      `${r.cutOff}/${withWindows.length}` + (isTidings(k) ? `; back: ${r.reconnects.complete}/${r.reconnects.ok} complete, ${r.reconnects.missing} missing, ${r.reconnects.dupes} dupes` : ''),
      last ? last.notices.slice(0, 4).join(', ') || '-' : '-',
      `${r.rssBeforeMiB} -> peak ${r.rssPeakMiB}`,
      errorsText(Object.assign({}, ...withWindows.map((w) => w.step.errors)) as Record<string, number>),
    ];
  });
  const real = results.real;
  const realMove = real ? median(real.moves) : null;
  // The noise floor: how far the p99 of one "without" window is from the median of all of them.
  const noise = real ? median(real.withoutP99.map((p) => Math.abs(p - median(real.withoutP99)) / Math.max(1e-9, median(real.withoutP99)))) : null;
  const verdicts: ScenarioReport['verdicts'] = real
    ? [
        { target: 'slow consumer cut off or told to resync past the buffer cap', met: real.cutOff > 0, detail: `closed in ${real.cutOff} of ${o.slowPairs} "with" windows; it came back ${real.reconnects.ok} times, ${real.reconnects.complete} complete, ${real.reconnects.missing} missing, ${real.reconnects.dupes} duplicates` },
        {
          target: "others' p99 moves < 10%",
          // Fewer than 3 pairs, or a p99 that FALLS by more than 10% with a consumer stalled: noise, not a result.
          met: realMove === null || o.slowPairs < 3 || realMove < -0.1 ? null : realMove < 0.1,
          detail: `median of ${o.slowPairs} paired moves ${pct(realMove ?? 0)} (each: ${real.moves.map(pct).join(', ')}); p99 medians ${round(median(real.withoutP99), 2)} -> ${round(median(real.withP99), 2)} ms; noise (median distance of a "without" p99 from their median) ${pct(noise ?? 0)}`,
        },
      ]
    : [];
  return {
    title: 'One slow consumer',
    markdown: [
      `${groups} groups of ${size} plus user 0, who is in every group and so receives every message. ${o.slowRate} sends/s of ${o.slowBodyBytes}-byte bodies in windows of ${o.slowSeconds} s: one warm-up window, then ${o.slowPairs} pairs of one window with everyone reading and one with user 0's socket paused (it stops reading), the order alternating per pair. Delivery latency is over the other members only (user 0's arrivals are not counted), so each send should reach members - 2 readers. A slow consumer the server closed reconnects and catches up between windows.`,
      '',
      table(['target', 'others\' delivery p99 ms without: median (range)', 'with the slow consumer', 'median p99 move per pair', 'moves per pair', 'slow consumer closed (windows)', 'its notices (last)', 'server RSS MiB', 'errors (with)'], rows),
    ].join('\n'),
    data: { groups, size, results },
    charts: [],
    generatorCpuMs,
    verdicts,
  };
}

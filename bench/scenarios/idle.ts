import { directPairs } from '../generator/population';
import { sleep } from '../lib/clock';
import { lineChart } from '../lib/svg-chart';
import { TARGET_LABELS, type TargetKind } from '../targets/target';
import { type ScenarioContext, type ScenarioReport, errorsText, round, table } from './context';
import { defaultWorkers, withSession } from './session';

/**
 * Idle connections held: every client registers, logs in by token and
 * subscribes, then sits. Server memory per connection is the growth of the
 * server process's RSS (and anonymous RSS) over its idle baseline, sampled
 * at ten checkpoints on the way up.
 */
interface IdleResult {
  connected: number;
  failed: number;
  errors: Record<string, number>;
  baseRssMiB: number;
  rssMiB: number;
  rssPerConnKB: number;
  anonPerConnKB: number;
  connectP99Ms: number;
  points: [number, number][];
  seedMs: number;
}

export async function idleScenario(ctx: ScenarioContext): Promise<ScenarioReport> {
  const o = ctx.options;
  const shape = { users: o.connections, conversations: directPairs(o.connections) };
  const results: Partial<Record<TargetKind, IdleResult>> = {};
  let generatorCpuMs = 0;
  for (const kind of o.targets) {
    results[kind] = await withSession(ctx, kind, shape, { workers: defaultWorkers(o.connections, o.workers) }, async (s) => {
      await sleep(o.connections < 1000 ? 100 : 500);
      const base = s.memory()!;
      const points: [number, number][] = [];
      const chunks = 10;
      let ok = 0;
      let failed = 0;
      let p99 = 0;
      const errors: Record<string, number> = {};
      for (let c = 0; c < chunks; c++) {
        const part = s.plans.slice(Math.floor((c * s.plans.length) / chunks), Math.floor(((c + 1) * s.plans.length) / chunks));
        const r = await s.connect(part);
        s.check();
        ok += r.ok;
        failed += r.failed;
        p99 = Math.max(p99, r.latency.p99);
        for (const [k, n] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + n;
        const m = s.memory()!;
        if (ok > 0) points.push([ok, (m.rss - base.rss) / ok / 1024]);
      }
      await sleep(o.connections < 1000 ? 200 : 2000);
      const live = await s.pool.stats();
      const end = s.memory()!;
      ctx.progress.note(`${s.label}: ${live.connected} connections open, RSS ${round(end.rss / 1048576)} MiB (idle ${round(base.rss / 1048576)} MiB)`);
      generatorCpuMs += s.pool.totalCpuMs;
      const held = Math.max(1, live.connected);
      return {
        connected: live.connected,
        failed,
        errors,
        baseRssMiB: round(base.rss / 1048576),
        rssMiB: round(end.rss / 1048576),
        rssPerConnKB: round((end.rss - base.rss) / held / 1024),
        anonPerConnKB: round((end.rssAnon - base.rssAnon) / held / 1024),
        connectP99Ms: p99,
        points,
        seedMs: round(s.target.seedMs, 0),
      };
    });
  }
  const real = results.real;
  const verdicts: ScenarioReport['verdicts'] = real
    ? [
        { target: `>= 19,000 logged-in connections`, met: real.connected >= 19_000, detail: `${real.connected} held (asked ${o.connections})` },
        { target: '< 40 KB server memory per connection', met: real.rssPerConnKB < 40, detail: `${real.rssPerConnKB} KB RSS, ${real.anonPerConnKB} KB anonymous` },
      ]
    : [];
  const chart = lineChart(
    o.targets.map((k) => ({ name: TARGET_LABELS[k], points: results[k]?.points ?? [] })),
    { title: 'Server memory per connection', xLabel: 'logged-in connections', yLabel: 'RSS growth per connection, KB', threshold: { y: 40, label: '40 KB target' } },
  );
  const markdown = [
    `${o.connections} clients, each registered, logged in by session token and subscribed to \`conversations\` and one \`messages:\` resource; ramp ${o.rampPerSecond}/s; ${o.sourceAddresses} loopback source addresses.`,
    '',
    table(
      ['target', 'connections held', 'failed', 'server RSS idle -> held MiB', 'RSS per conn KB', 'anon RSS per conn KB', 'connect p99 ms (from schedule)', 'seeding ms', 'errors'],
      o.targets.map((k) => {
        const r = results[k]!;
        return [TARGET_LABELS[k], r.connected, r.failed, `${r.baseRssMiB} -> ${r.rssMiB}`, r.rssPerConnKB, r.anonPerConnKB, r.connectP99Ms, r.seedMs, errorsText(r.errors)];
      }),
    ),
  ].join('\n');
  return {
    title: 'Idle connections held',
    markdown,
    data: { results },
    charts: [{ file: 'idle-memory.svg', title: 'Memory per connection against connections', svg: chart }],
    generatorCpuMs,
    verdicts,
  };
}

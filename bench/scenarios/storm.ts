import { directPairs } from '../generator/population';
import { sleep } from '../lib/clock';
import { type ScenarioContext, type ScenarioReport, errorsText, table } from './context';
import { defaultWorkers, withSession } from './session';

/**
 * Reconnect storm: N clients drop at once; their partners send while they
 * are away; all N return at once, log in by token, resubscribe and read
 * every conversation from their last stored seq. Each must end with every
 * missed message exactly once and no gap. Needs history, so real server only.
 */
export async function stormScenario(ctx: ScenarioContext): Promise<ScenarioReport> {
  const o = ctx.options;
  const n = o.stormClients;
  const shape = { users: 2 * n, conversations: directPairs(2 * n) };
  const kinds = o.targets.filter((k) => k === 'real');
  if (kinds.length === 0) throw new Error('storm needs --targets real: the baselines keep no history to catch up from');
  const stormers = Array.from({ length: n }, (_, i) => 2 * i);
  const senders = Array.from({ length: n }, (_, i) => 2 * i + 1);
  const out = await withSession(ctx, 'real', shape, { workers: defaultWorkers(2 * n, o.workers), trackHistory: true }, async (s) => {
    const connect = await s.connect();
    await s.pool.disconnect(stormers);
    await sleep(500);
    const missed = Math.round(n * o.missedPerClient);
    const rate = Math.min(5000, Math.max(50, missed / 4));
    ctx.progress.note(`${s.label}: ${n} clients dropped; sending ${missed} messages at ${rate}/s while they are away`);
    await s.pool.load(rate, (missed / rate) * 1000, 10_000, senders);
    const sent = await s.pool.collect();
    ctx.progress.note(`${s.label}: ${sent.acked}/${sent.sent} acked; ${n} clients return at once`);
    const cpu0 = s.serverCpuMs();
    const t0 = performance.now();
    ctx.progress.track(`${s.label} storm`, async () => `server RSS ${Math.round((s.memory()?.rss ?? 0) / 1048576)} MiB`);
    const back = await s.pool.reconnect(stormers).finally(() => ctx.progress.stop());
    const wall = performance.now() - t0;
    s.check();
    const generatorCpuMs = s.pool.totalCpuMs;
    return { connect, sent, back, wallMs: wall, serverCpuMs: s.serverCpuMs() - cpu0, generatorCpuMs };
  });
  const { sent, back } = out;
  const ok = back.complete === n && back.missing === 0 && back.dupes === 0 && sent.acked === sent.sent;
  return {
    title: 'Reconnect storm',
    markdown: [
      `${n} clients in direct conversations with ${n} partners who stay online. All ${n} drop at once; the partners send ${sent.sent} messages (${o.missedPerClient} per conversation on average, random); all ${n} return at once, log in by token, resubscribe and page through GetMessages from their last stored seq.`,
      '',
      table(
        ['clients', 'missed messages sent/acked', 'reconnected', 'complete (every missed message, no gap)', 'missing', 'duplicates/conflicts', 'messages fetched', 'logged in p50/p99/max ms', 'caught up p50/p99/max ms', 'storm wall ms', 'server CPU ms', 'errors'],
        [[n, `${sent.sent}/${sent.acked}`, back.ok, back.complete, back.missing, back.dupes, back.messagesFetched, `${back.latency.p50} / ${back.latency.p99} / ${back.latency.max}`, `${back.catchUp.p50} / ${back.catchUp.p99} / ${back.catchUp.max}`, Math.round(out.wallMs), Math.round(out.serverCpuMs), errorsText({ ...sent.errors, ...back.errors })]],
      ),
    ].join('\n'),
    data: out,
    charts: [],
    generatorCpuMs: out.generatorCpuMs,
    verdicts: [{ target: `after ${n} reconnects every client has every missed message, no gaps/dupes`, met: ok, detail: `${back.complete}/${n} complete, ${back.missing} missing, ${back.dupes} dupes, ${back.failed} failed reconnects` }],
  };
}

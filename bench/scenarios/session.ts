import { resolve } from 'node:path';
import { GeneratorPool, type ConnectSummary } from '../generator/pool';
import { buildPlans, type PopulationShape } from '../generator/population';
import type { UserPlan } from '../generator/ipc';
import { sourceAddresses } from '../lib/options';
import { readProcCpuMs, readProcMemory, type ProcMemory } from '../lib/proc-memory';
import { launchTarget } from '../targets/launch';
import { TARGET_LABELS, type RunningTarget, type TargetKind } from '../targets/target';
import type { ScenarioContext } from './context';

/**
 * One target under load: the server child started with its population
 * prepared, the generator workers started against it, and cleanup that runs
 * however the scenario ends.
 */
export interface Session {
  kind: TargetKind;
  label: string;
  target: RunningTarget;
  pool: GeneratorPool;
  plans: UserPlan[];
  memory(): ProcMemory | null;
  serverCpuMs(): number;
  /** Connects the given users (all by default) with the live progress line running. */
  connect(users?: UserPlan[], subscribeConversations?: boolean): Promise<ConnectSummary>;
  /** Throws when the server process died, with its last output. */
  check(): void;
}

export interface SessionOptions {
  workers: number;
  trackHistory?: boolean;
  bodyBytes?: number;
}

export async function withSession<T>(ctx: ScenarioContext, kind: TargetKind, shape: PopulationShape, so: SessionOptions, fn: (s: Session) => Promise<T>): Promise<T> {
  const { options, progress } = ctx;
  const label = TARGET_LABELS[kind];
  progress.note(`${label}: preparing ${shape.users} users, ${shape.conversations.length} conversations`);
  const nodeFlags = options.cpuProf && kind === 'real' ? ['--cpu-prof', `--cpu-prof-dir=${resolve(ctx.resultsDir)}`] : [];
  const target = await launchTarget(kind, shape, ctx.runId, { nodeFlags, inProcess: options.inProcess, baselineCheckout: options.baselineCheckout });
  let pool: GeneratorPool | null = null;
  try {
    pool = await GeneratorPool.start({
      workers: so.workers,
      transport: target.transport,
      url: target.url,
      localAddresses: sourceAddresses(options.sourceAddresses),
      bodyBytes: so.bodyBytes ?? options.bodyBytes,
      trackHistory: so.trackHistory ?? false,
    });
    const plans = buildPlans(shape, target.seeded);
    const live = pool;
    const session: Session = {
      kind,
      label,
      target,
      pool: live,
      plans,
      memory: () => readProcMemory(target.pid),
      serverCpuMs: () => readProcCpuMs(target.pid),
      check: () => {
        const why = target.failure();
        if (why) throw new Error(`${label} died: ${why}`);
      },
      connect: async (users = plans, subscribeConversations = true) => {
        progress.track(`${label} connecting ${users.length}`, async () => {
          const s = await live.stats();
          const m = readProcMemory(target.pid);
          return `connected ${s.connected} server RSS ${m ? Math.round(m.rss / 1048576) : '?'} MiB`;
        });
        try {
          return await live.connect(users, options.rampPerSecond, subscribeConversations);
        } finally {
          progress.stop();
        }
      },
    };
    return await fn(session);
  } finally {
    progress.stop();
    await pool?.close();
    await target.stop();
  }
}

export function defaultWorkers(sockets: number, requested: number | null): number {
  return requested ?? Math.max(2, Math.ceil(sockets / 5000));
}

/**
 * Several targets up at once, each with its own generator pool, so a
 * scenario can interleave them step by step: on a shared machine they then
 * see the same background noise, and their ratios stay meaningful.
 */
export async function withSessions<T>(ctx: ScenarioContext, kinds: TargetKind[], shape: PopulationShape, so: SessionOptions, fn: (s: Session[]) => Promise<T>, acc: Session[] = []): Promise<T> {
  if (acc.length === kinds.length) return fn(acc);
  return withSession(ctx, kinds[acc.length]!, shape, so, (s) => withSessions(ctx, kinds, shape, so, fn, [...acc, s]));
}

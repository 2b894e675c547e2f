import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TARGET_KINDS, type TargetKind } from '../targets/target';

/**
 * Command-line options of `npm run bench -- <scenario> [options]`, their
 * defaults, and the help text that documents them. `--tiny` shrinks every
 * size so a scenario finishes in a second or two (the CI smoke test).
 */
export const SCENARIOS = ['idle', 'chat', 'fanout', 'storm', 'slow', 'cost', 'browser'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchOptions {
  scenario: ScenarioName;
  targets: TargetKind[];
  /** Generator processes; null picks one per 5,000 sockets, at least 2. */
  workers: number | null;
  connections: number;
  rampPerSecond: number;
  users: number;
  rates: number[];
  fanoutDeliveryRates: number[];
  groupSizes: number[];
  stepSeconds: number;
  /** Runs of a step that fails its limit before the ramp takes it as failed. */
  repeat: number;
  p99LimitMs: number;
  /** chat: idle pause before the half-rate step, so it measures that rate and not the aftermath of the ramp's saturated steps. */
  settleSeconds: number;
  stormClients: number;
  missedPerClient: number;
  slowGroupSize: number;
  slowRate: number;
  slowSeconds: number;
  slowPairs: number;
  costBatches: number[];
  costRounds: number;
  slowBodyBytes: number;
  bodyBytes: number;
  sourceAddresses: number;
  maxSeconds: number;
  outDir: string;
  /** Root of another checkout whose real server runs as target `real-base`, or null. */
  baselineCheckout: string | null;
  cpuProf: boolean;
  /** taskset CPU lists for the targets and the generator, or null. */
  pin: { targets: string; generator: string } | null;
  /** Targets inside this process (smoke test only: figures would include the coordinator). */
  inProcess: boolean;
  quiet: boolean;
  /** browser: page loads per cold-start mode (each online one also opens the long conversation). */
  browserRuns: number;
  /** browser: messages sent for the local-echo and the other-screen figures, each. */
  browserSends: number;
  /** browser: conversations and cached messages of the seeded account. */
  browserConversations: number;
  browserMessages: number;
  /** browser: messages in the long conversation (part of browserMessages). */
  browserLongConversation: number;
}

export const HELP = `Usage: npm run bench -- <scenario> [options]

Scenarios (each bounded in size and time, loopback only, stops by itself):
  idle     hold logged-in idle connections; server RSS and anonymous memory per connection
  chat     one-to-one sends at rising fixed arrival rates, targets interleaved per step: the highest
           rate within --p99-limit, then on to saturation; server CPU and bytes per send
  fanout   group sends (--group-sizes) at rising delivery rates; bytes of frames per send of each target and
           its ratio to the raw relay's at each step
  storm    --storm-clients drop at once, miss messages, return at once and catch up (real server only)
  slow     one member stops reading its socket; others' latency with and without it
  cost     server CPU per one-to-one send at a fixed batch of simultaneous senders (closed loop: the cost
           figure independent of how late the server runs)
  browser  the client in the system Chromium (Playwright; needs dist/, i.e. vite build): cold start from the local
           store to the conversation list, server up and stopped; opening the long conversation (paint, DOM nodes,
           JS heap); local echo of a send; a send to another browser's screen (real server only)

Options:
  --targets <list>         any of raw, socketio, socketio-sqlite, real, real-base (default: the first four, with
                           real-base too when --baseline-checkout is given; storm and browser: real)
                           raw: the ceiling, a ws relay that stores nothing; socketio: Socket.IO in memory;
                           socketio-sqlite: Socket.IO inserting each message into SQLite (WAL,
                           synchronous=NORMAL) before its ack, the durable peer; real: this checkout's server;
                           real-base: the server of the --baseline-checkout
  --baseline-checkout <dir>  another checkout of Tidings (with its node_modules) whose server runs as target
                           real-base, seeded by its own server/storage/seed.ts: before/after ratios from one run
  --connections <n>        idle: connections to hold (default 19000)
  --ramp <n/s>             connection ramp, connections per second (default 2000)
  --workers <n>            generator processes (default: one per 5000 sockets, at least 2)
  --users <n>              chat/fanout: simulated users (default chat 2000, fanout 1000)
  --rates <list>           chat: offered sends/s per step (default 1000,2000,4000,6000,8000,10000,12500,15000,20000,25000)
  --fanout-rates <list>    fanout: offered deliveries/s per step (default 2500,5000,10000,20000,40000,80000,160000,
                           320000: each target stays on the ramp until it saturates)
  --group-sizes <list>     fanout: group sizes (default 50,500)
  --step-seconds <s>       length of one load step (default 4)
  --p99-limit <ms>         a step within this p99 (and without errors) passes (default 50); the ramp goes on
                           to saturation (acks < 90% of offered, errors, or p99 over ten times this)
  --repeat <n>             runs of a step over the limit before it counts as over (default 2; shared machines are noisy)
  --settle-seconds <s>     chat: idle pause before the real server's half-rate step, which follows the
                           ramp's saturated steps (default 10)
  --storm-clients <n>      storm: clients that drop and return (default 5000)
  --missed <n>             storm: messages each of them misses on average (default 3)
  --slow-group-size <n>    slow: group size (default 10)
  --slow-rate <n/s>        slow: sends/s (default 400)
  --slow-seconds <s>       slow: length of each window (default 10: at 400 sends/s of 3.5 KB the paused
                           socket passes the server's 4 MiB cap plus the kernel's buffers in 5-8 s)
  --slow-pairs <n>         slow: pairs of windows without/with the slow consumer, order alternating (default 4)
  --batches <list>         cost: senders per round, each a separate direct conversation (default 1,16,64)
  --rounds <n>             cost: measured rounds per batch size, after a fifth as many warm-up rounds (default 400)
  --slow-body <bytes>      slow: message body size (default 3500)
  --body <bytes>           message body size elsewhere (default 100)
  --sources <n>            loopback source addresses 127.0.0.1..n (default 8)
  --max-seconds <s>        wall-clock budget per target for a ramp; stepping stops past it (default 150)
  --out <dir>              results root (default bench/results)
  --cpu-prof               run the real server under node --cpu-prof (profile lands in the results folder)
  --pin <cpus>/<cpus>      pin the targets to the first CPU list and the generator (workers and coordinator)
                           to the second, with taskset -c (e.g. --pin 0/1 on 2 cores): on a shared box the
                           server and its load no longer take each other's core (default: not pinned)
  --runs <n>               browser: page loads per cold-start mode, each online one also opening the long
                           conversation (default 10)
  --sends <n>              browser: messages for the local-echo figure and again for the other-screen figure (default 50)
  --tiny, --smoke          smoke sizes (what the CI test runs; browser: 1 run, 3 sends, 5 conversations, 300 messages)
  --in-process             start the targets inside this process (checks the tools fast; figures then include the coordinator)
  --quiet                  no progress line
  --help                   this text

Writes bench/results/<timestamp>-<scenario>/report.md, report.json and SVG charts.`;

function list(v: string): number[] {
  return v.split(',').map((s) => Number(s.trim())).filter((n) => Number.isFinite(n) && n > 0);
}

export function defaults(scenario: ScenarioName): BenchOptions {
  return {
    scenario,
    targets: scenario === 'storm' || scenario === 'browser' ? ['real'] : ['raw', 'socketio', 'socketio-sqlite', 'real'],
    workers: null,
    connections: 19_000,
    rampPerSecond: 2000,
    users: scenario === 'fanout' ? 1000 : 2000,
    rates: [1000, 2000, 4000, 6000, 8000, 10_000, 12_500, 15_000, 20_000, 25_000],
    // Up to where every target saturates: the ceilings, not the top of the ramp (each target leaves the ramp once saturated).
    fanoutDeliveryRates: [2500, 5000, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000],
    groupSizes: [50, 500],
    stepSeconds: 4,
    repeat: 2,
    p99LimitMs: 50,
    settleSeconds: 10,
    stormClients: 5000,
    missedPerClient: 3,
    slowGroupSize: 10,
    slowRate: 400,
    slowSeconds: 10,
    slowPairs: 4,
    costBatches: [1, 16, 64],
    costRounds: 400,
    slowBodyBytes: 3500,
    bodyBytes: 100,
    sourceAddresses: 8,
    maxSeconds: 150,
    outDir: 'bench/results',
    baselineCheckout: null,
    cpuProf: false,
    pin: null,
    inProcess: false,
    quiet: false,
    browserRuns: 10,
    browserSends: 50,
    browserConversations: 50,
    browserMessages: 20_000,
    browserLongConversation: 10_000,
  };
}

function tiny(o: BenchOptions): void {
  Object.assign(o, {
    connections: 40,
    rampPerSecond: 2000,
    users: 20,
    rates: [100, 200],
    fanoutDeliveryRates: [200],
    groupSizes: [5],
    stepSeconds: 0.4,
    repeat: 1,
    settleSeconds: 0,
    stormClients: 10,
    missedPerClient: 2,
    slowGroupSize: 4,
    slowRate: 50,
    slowSeconds: 0.6,
    slowPairs: 1,
    costBatches: [2],
    costRounds: 5,
    slowBodyBytes: 200,
    workers: 1,
    maxSeconds: 20,
    browserRuns: 1,
    browserSends: 3,
    browserConversations: 5,
    browserMessages: 300,
    browserLongConversation: 200,
  });
}

/** Parses argv (after `bench/cli.ts`); returns null with `help` true when help was asked for. */
export function parseArgs(argv: string[]): { options: BenchOptions | null; help: boolean; error?: string } {
  if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) return { options: null, help: true };
  const scenario = argv[0] as ScenarioName;
  if (!SCENARIOS.includes(scenario)) return { options: null, help: true, error: `unknown scenario ${JSON.stringify(argv[0])}` };
  const o = defaults(scenario);
  if (argv.includes('--tiny') || argv.includes('--smoke')) tiny(o);
  let targetsGiven = false;
  for (let i = 1; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const num = (): number => {
      const n = Number(value());
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number`);
      return n;
    };
    switch (flag) {
      case '--tiny': case '--smoke': break;
      case '--runs': o.browserRuns = Math.min(100, Math.floor(num())); break;
      case '--sends': o.browserSends = Math.min(500, Math.floor(num())); break;
      case '--quiet': o.quiet = true; break;
      case '--cpu-prof': o.cpuProf = true; break;
      case '--in-process': o.inProcess = true; break;
      case '--pin': {
        const m = /^([0-9][0-9,-]*)\/([0-9][0-9,-]*)$/.exec(value());
        if (!m) throw new Error('--pin needs <cpus>/<cpus>, e.g. 0/1');
        o.pin = { targets: m[1]!, generator: m[2]! };
        break;
      }
      case '--targets': {
        const kinds = value().split(',').map((s) => s.trim());
        for (const k of kinds) if (!(TARGET_KINDS as readonly string[]).includes(k)) throw new Error(`unknown target ${JSON.stringify(k)}: the targets are ${TARGET_KINDS.join(', ')}`);
        o.targets = kinds as TargetKind[];
        targetsGiven = true;
        break;
      }
      case '--baseline-checkout': {
        const dir = resolve(value());
        for (const needed of ['server/main.ts', 'server/storage/seed.ts', 'node_modules']) {
          if (!existsSync(join(dir, needed))) throw new Error(`--baseline-checkout ${JSON.stringify(dir)} has no ${needed}: it must be a Tidings checkout with its dependencies installed`);
        }
        o.baselineCheckout = dir;
        break;
      }
      case '--connections': o.connections = Math.floor(num()); break;
      case '--ramp': o.rampPerSecond = num(); break;
      case '--workers': o.workers = Math.floor(num()); break;
      case '--users': o.users = Math.floor(num()); break;
      case '--rates': o.rates = list(value()); break;
      case '--fanout-rates': o.fanoutDeliveryRates = list(value()); break;
      case '--group-sizes': o.groupSizes = list(value()).map(Math.floor); break;
      case '--step-seconds': o.stepSeconds = num(); break;
      case '--repeat': o.repeat = Math.floor(num()); break;
      case '--p99-limit': o.p99LimitMs = num(); break;
      case '--settle-seconds': o.settleSeconds = Math.min(120, num()); break;
      case '--storm-clients': o.stormClients = Math.floor(num()); break;
      case '--missed': o.missedPerClient = num(); break;
      case '--slow-group-size': o.slowGroupSize = Math.floor(num()); break;
      case '--slow-rate': o.slowRate = num(); break;
      case '--slow-seconds': o.slowSeconds = num(); break;
      case '--slow-pairs': o.slowPairs = Math.min(50, Math.floor(num())); break;
      case '--batches': o.costBatches = list(value()).map((n) => Math.min(1000, Math.floor(n))); break;
      case '--rounds': o.costRounds = Math.min(100_000, Math.floor(num())); break;
      case '--slow-body': o.slowBodyBytes = Math.floor(num()); break;
      case '--body': o.bodyBytes = Math.min(4000, Math.floor(num())); break;
      case '--sources': o.sourceAddresses = Math.min(250, Math.floor(num())); break;
      case '--max-seconds': o.maxSeconds = num(); break;
      case '--out': o.outDir = value(); break;
      default: throw new Error(`unknown option ${flag}`);
    }
  }
  if (o.baselineCheckout && !targetsGiven && !['storm', 'browser'].includes(scenario)) o.targets.push('real-base');
  if (o.targets.includes('real-base') && !o.baselineCheckout) throw new Error('target real-base needs --baseline-checkout <dir>, the checkout whose server it runs');
  if (o.connections > 60_000) throw new Error('--connections is capped at 60000 (the server holds ~19,500 per process)');
  return { options: o, help: false };
}

export function sourceAddresses(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `127.0.0.${i + 1}`);
}

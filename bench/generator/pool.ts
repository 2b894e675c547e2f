import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { forkTsWorker, stopChild } from '../lib/children';
import { createHistogram, mergeEncoded, summarize, type LatencySummary } from '../lib/latency';
import { sleep } from '../lib/clock';
import type { FromWorker, LiveStats, ToWorker, Transport, UserPlan, ProbeResult } from './ipc';

/**
 * The coordinator's handle on the generator workers: it splits users and
 * offered load over them (user i lives in worker i % n), asks each for its
 * part, and merges what they report into one set of counts and histograms.
 */
const WORKER_SCRIPT = fileURLToPath(new URL('./worker.ts', import.meta.url));

export interface PoolOptions {
  workers: number;
  transport: Transport;
  url: string;
  localAddresses: string[];
  bodyBytes: number;
  trackHistory: boolean;
}

export interface ConnectSummary {
  ok: number;
  failed: number;
  errors: Record<string, number>;
  latency: LatencySummary;
  generatorCpuMs: number;
}

export interface PhaseSummary {
  sent: number;
  acked: number;
  expectedDeliveries: number;
  delivered: number;
  bytesIn: number;
  dupes: number;
  errors: Record<string, number>;
  ack: LatencySummary;
  delivery: LatencySummary;
  generatorCpuMs: number;
  wallMs: number;
}

export interface ReconnectSummary extends ConnectSummary {
  complete: number;
  incomplete: number;
  missing: number;
  dupes: number;
  messagesFetched: number;
  catchUp: LatencySummary;
}

type Reply<T extends FromWorker['t']> = Extract<FromWorker, { t: T }>;

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

export class GeneratorPool {
  /** Generator CPU over the pool's whole life, summed from every phase the workers reported. */
  totalCpuMs = 0;
  private readonly children: ChildProcess[];
  private readonly waiters: Map<string, ((m: FromWorker) => void)[]>[];
  private fatal: string | null = null;

  private constructor(children: ChildProcess[]) {
    this.children = children;
    this.waiters = children.map(() => new Map());
    children.forEach((child, i) => {
      child.on('message', (m: FromWorker) => {
        if (m.t === 'fatal') {
          this.fatal = m.message;
          process.stderr.write(`\nbench: worker ${i} failed: ${m.message}\n`);
        }
        const queue = this.waiters[i]!.get(m.t);
        queue?.shift()?.(m);
      });
      child.on('exit', (code) => {
        if (code !== 0 && code !== null) this.fatal ??= `worker ${i} exited with ${code}`;
      });
    });
  }

  static async start(options: PoolOptions): Promise<GeneratorPool> {
    const children = Array.from({ length: options.workers }, () => forkTsWorker(WORKER_SCRIPT));
    const pool = new GeneratorPool(children);
    await Promise.all(
      children.map((_, workerId) =>
        pool.ask(workerId, { t: 'init', workerId, transport: options.transport, url: options.url, localAddresses: options.localAddresses, bodyBytes: options.bodyBytes, trackHistory: options.trackHistory }, 'ready'),
      ),
    );
    return pool;
  }

  get size(): number {
    return this.children.length;
  }

  workerOf(userIndex: number): number {
    return userIndex % this.children.length;
  }

  async connect(users: UserPlan[], perSecond: number, subscribeConversations: boolean): Promise<ConnectSummary> {
    const parts = this.split(users, (u) => u.index);
    const replies = await Promise.all(
      parts.map((part, w) => this.ask(w, { t: 'connect', users: part, perSecond: perSecond / this.size, subscribeConversations }, 'connected')),
    );
    const latency = createHistogram();
    const errors: Record<string, number> = {};
    let ok = 0;
    let failed = 0;
    let cpu = 0;
    for (const { result } of replies) {
      ok += result.ok;
      failed += result.failed;
      addCounts(errors, result.errors);
      mergeEncoded(latency, result.latency);
      cpu += result.cpuUserMs + result.cpuSystemMs;
    }
    this.totalCpuMs += cpu;
    return { ok, failed, errors, latency: summarize(latency), generatorCpuMs: cpu };
  }

  /** Offers `perSecond` sends for `durationMs`, spread over the workers in proportion to their senders. */
  async load(perSecond: number, durationMs: number, drainMs: number, senders: number[] | 'all' = 'all'): Promise<void> {
    const parts = senders === 'all' ? null : this.split(senders, (i) => i);
    const total = senders === 'all' ? 0 : senders.length;
    await Promise.all(
      this.children.map((_, w) => {
        const mine = parts ? parts[w]! : 'all';
        const rate = parts ? (perSecond * parts[w]!.length) / Math.max(1, total) : perSecond / this.size;
        if (rate <= 0) return Promise.resolve();
        return this.ask(w, { t: 'load', perSecond: rate, durationMs, drainMs, senders: mine }, 'loaded');
      }),
    );
  }

  /** Waits until arrivals stop growing or reach what the acked sends should have made. */
  async settle(maxMs: number, allowShortfall = 0): Promise<void> {
    const until = Date.now() + maxMs;
    let last = -1;
    let stableSince = Date.now();
    while (Date.now() < until) {
      const s = await this.stats();
      if (s.delivered + allowShortfall >= s.expectedDeliveries) return;
      if (s.delivered !== last) {
        last = s.delivered;
        stableSince = Date.now();
      } else if (Date.now() - stableSince > 1000) return;
      await sleep(50);
    }
  }

  async collect(): Promise<PhaseSummary> {
    const replies = await Promise.all(this.children.map((_, w) => this.ask(w, { t: 'collect' }, 'collected')));
    const ack = createHistogram();
    const delivery = createHistogram();
    const out: PhaseSummary = { sent: 0, acked: 0, expectedDeliveries: 0, delivered: 0, bytesIn: 0, dupes: 0, errors: {}, ack: summarize(ack), delivery: summarize(delivery), generatorCpuMs: 0, wallMs: 0 };
    for (const { result } of replies) {
      out.sent += result.sent;
      out.acked += result.acked;
      out.expectedDeliveries += result.expectedDeliveries;
      out.delivered += result.delivered;
      out.bytesIn += result.bytesIn;
      out.dupes += result.dupes;
      addCounts(out.errors, result.errors);
      mergeEncoded(ack, result.ack);
      mergeEncoded(delivery, result.delivery);
      out.generatorCpuMs += result.cpuUserMs + result.cpuSystemMs;
      out.wallMs = Math.max(out.wallMs, result.wallMs);
    }
    out.ack = summarize(ack);
    out.delivery = summarize(delivery);
    this.totalCpuMs += out.generatorCpuMs;
    return out;
  }

  async stats(): Promise<LiveStats> {
    const replies = await Promise.all(this.children.map((_, w) => this.ask(w, { t: 'stats' }, 'stats')));
    const out: LiveStats = { connected: 0, sent: 0, acked: 0, delivered: 0, expectedDeliveries: 0, errors: 0 };
    for (const { stats } of replies) {
      for (const key of Object.keys(out) as (keyof LiveStats)[]) out[key] += stats[key];
    }
    return out;
  }

  async disconnect(users: number[]): Promise<void> {
    const parts = this.split(users, (i) => i);
    await Promise.all(parts.map((part, w) => this.ask(w, { t: 'disconnect', users: part }, 'disconnected')));
  }

  async reconnect(users: number[]): Promise<ReconnectSummary> {
    const parts = this.split(users, (i) => i);
    const replies = await Promise.all(parts.map((part, w) => this.ask(w, { t: 'reconnect', users: part }, 'reconnected')));
    const latency = createHistogram();
    const catchUp = createHistogram();
    const out = { ok: 0, failed: 0, errors: {} as Record<string, number>, complete: 0, incomplete: 0, missing: 0, dupes: 0, messagesFetched: 0, generatorCpuMs: 0 };
    for (const { result } of replies) {
      out.ok += result.ok;
      out.failed += result.failed;
      out.complete += result.complete;
      out.incomplete += result.incomplete;
      out.missing += result.missing;
      out.dupes += result.dupes;
      out.messagesFetched += result.messagesFetched;
      out.generatorCpuMs += result.cpuUserMs + result.cpuSystemMs;
      addCounts(out.errors, result.errors);
      mergeEncoded(latency, result.latency);
      mergeEncoded(catchUp, result.catchUp);
    }
    this.totalCpuMs += out.generatorCpuMs;
    return { ...out, latency: summarize(latency), catchUp: summarize(catchUp) };
  }

  async pause(users: number[], resume = false): Promise<void> {
    const parts = this.split(users, (i) => i);
    await Promise.all(parts.map((part, w) => this.ask(w, { t: resume ? 'resume' : 'pause', users: part }, 'done')));
  }

  /** Stops counting and timing the given users' arrivals (they keep reading). */
  async mute(users: number[]): Promise<void> {
    const parts = this.split(users, (i) => i);
    await Promise.all(parts.map((part, w) => this.ask(w, { t: 'mute', users: part }, 'done')));
  }

  async probe(users: number[]): Promise<ProbeResult['users']> {
    const parts = this.split(users, (i) => i);
    const replies = await Promise.all(parts.map((part, w) => this.ask(w, { t: 'probe', users: part }, 'probed')));
    return replies.flatMap((r) => r.result.users);
  }

  async close(): Promise<void> {
    await Promise.all(
      this.children.map(async (child, w) => {
        if (child.connected) {
          await Promise.race([this.ask(w, { t: 'close' }, 'done'), sleep(2000)]).catch(() => undefined);
        }
        await stopChild(child, 2000);
      }),
    );
  }

  private split<T>(items: T[], indexOf: (item: T) => number): T[][] {
    const parts: T[][] = this.children.map(() => []);
    for (const item of items) parts[this.workerOf(indexOf(item))]!.push(item);
    return parts;
  }

  private ask<T extends FromWorker['t']>(worker: number, message: ToWorker, reply: T): Promise<Reply<T>> {
    if (this.fatal) return Promise.reject(new Error(this.fatal));
    return new Promise((resolve, reject) => {
      const child = this.children[worker]!;
      const onExit = (): void => reject(new Error(this.fatal ?? `worker ${worker} exited`));
      child.once('exit', onExit);
      const queue = this.waiters[worker]!.get(reply) ?? [];
      this.waiters[worker]!.set(reply, queue);
      queue.push((m) => {
        child.off('exit', onExit);
        resolve(m as Reply<T>);
      });
      child.send(message);
    });
  }
}

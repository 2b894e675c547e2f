import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runBench } from './cli';
import type { LatencySummary } from './lib/latency';

/**
 * Smoke run of every scenario at tiny size, so the benchmarks cannot rot:
 * the report is written and well-formed, every send was acked and every
 * message arrived, and the percentiles are present and ordered. Baselines
 * stand in where the real server adds only start-up time; chat and the
 * storm run against the real server.
 */
const out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
/** This checkout stands in for `--baseline-checkout`: the smoke checks the launching, not a second build. */
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function run(args: string): ReturnType<typeof runBench> {
  return runBench([...args.split(' '), '--tiny', '--in-process', '--quiet', '--out', out]);
}

function expectOrdered(l: LatencySummary): void {
  expect(l.count).toBeGreaterThan(0);
  expect(l.p50).toBeGreaterThan(0);
  expect(l.p50).toBeLessThanOrEqual(l.p95);
  expect(l.p95).toBeLessThanOrEqual(l.p99);
  expect(l.p99).toBeLessThanOrEqual(l.p999);
  expect(l.p999).toBeLessThanOrEqual(l.max);
}

interface Step {
  sent: number;
  acked: number;
  delivered: number;
  expectedDeliveries: number;
  ack: LatencySummary;
  delivery: LatencySummary;
}

function expectComplete(step: Step): void {
  expect(step.sent).toBeGreaterThan(0);
  expect(step.acked).toBe(step.sent);
  expect(step.delivered).toBe(step.expectedDeliveries);
  expectOrdered(step.ack);
  expectOrdered(step.delivery);
}

describe('bench smoke', () => {
  it('chat: every send acked and delivered against every target, the durable peer and a baseline checkout included, report written', async () => {
    const result = (await run(`chat --targets raw,socketio-sqlite,real,real-base --baseline-checkout ${REPO_ROOT}`))!;
    const json = JSON.parse(readFileSync(join(result.dir, 'report.json'), 'utf8'));
    expect(json.meta.command).toContain('chat');
    expect(json.meta.machine.nproc).toBeGreaterThan(0);
    for (const kind of ['raw', 'socketio-sqlite', 'real', 'real-base']) {
      const steps = json.data.results[kind].steps as Step[];
      expect(steps.length).toBeGreaterThan(0);
      for (const step of steps) expectComplete(step);
    }
    const md = readFileSync(join(result.dir, 'report.md'), 'utf8');
    expect(md).toMatch(/\| raw ws relay \| 100 \|/);
    expect(md).toMatch(/\| Socket\.IO \+ SQLite \| 100 \|/);
    expect(md).toMatch(/\| Tidings \(baseline checkout\) \| 100 \|/);
    expect(json.verdicts.map((v: { target: string }) => v.target)).toEqual(expect.arrayContaining([expect.stringContaining('Socket.IO + SQLite')]));
    expect(readFileSync(join(result.dir, 'chat-latency.svg'), 'utf8')).toMatch(/^<svg/);
  }, 40_000);

  it('idle, fanout and slow run end to end against the raw relay, fan-out against the durable peer too', async () => {
    const idle = (await run('idle --targets raw'))!;
    expect((idle.report.data['results'] as { raw: { connected: number } }).raw.connected).toBe(40);
    const fanout = (await run('fanout --targets raw,socketio-sqlite'))!;
    const groups = fanout.report.data['results'] as { kind: string; steps: Step[] }[];
    expect(groups.map((g) => g.kind)).toEqual(['raw', 'socketio-sqlite']);
    for (const group of groups) for (const step of group.steps) expectComplete(step);
    const slow = (await run('slow --targets raw'))!;
    const r = (slow.report.data['results'] as { raw: { windows: { phase: string; step: Step }[]; moves: number[] } }).raw;
    expect(r.windows.map((w) => w.phase)).toEqual(['without', 'with']);
    expect(r.moves).toHaveLength(1);
    // User 0 is in every group and not counted: every other member got every message, with and without it reading.
    for (const { step } of r.windows) {
      expect(step.acked).toBe(step.sent);
      expect(step.delivered).toBe(step.expectedDeliveries - step.acked);
      expectOrdered(step.delivery);
    }
  }, 30_000);

  it('cost: fixed-batch rounds against the raw relay, the durable peer, the real server and a baseline checkout, every send acked and delivered', async () => {
    const result = (await run(`cost --targets raw,socketio-sqlite,real,real-base --baseline-checkout ${REPO_ROOT}`))!;
    type Row = { batch: number; sends: number; bytesPerSend: number; meanCommitBatch: number | null };
    const results = result.report.data['results'] as Record<'raw' | 'socketio-sqlite' | 'real' | 'real-base', Row[]>;
    for (const kind of ['raw', 'socketio-sqlite', 'real', 'real-base'] as const) {
      const [r] = results[kind];
      expect(r).toMatchObject({ batch: 2, sends: 10 });
      expect(r!.bytesPerSend).toBeGreaterThan(0);
    }
    expect(results.real[0]!.meanCommitBatch).toBeGreaterThan(0);
    expect(results['real-base'][0]!.meanCommitBatch).toBeGreaterThan(0);
    expect(results.raw[0]!.meanCommitBatch).toBeNull();
    expect(results['socketio-sqlite'][0]!.meanCommitBatch).toBeNull();
  }, 30_000);

  it('storm: every returning client has every missed message, no gap or duplicate', async () => {
    const result = (await run('storm'))!;
    expect(result.report.verdicts[0]!.met).toBe(true);
  }, 30_000);
});

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/**
 * What a suite reports: one row per check, with how often it was tried and
 * what went wrong (`failures` lists examples; the goal is none). The CI test
 * asserts on the rows; the CLI writes them to reliability/results/<suite>.json.
 */
export interface CheckRow {
  check: string;
  /** What was tried, in words. */
  tried: string;
  /** How many times (frames, cuts, kills, cycles, requests...). */
  count: number;
  /** How many things were lost, duplicated or let through. */
  bad: number;
  /** Up to a few examples of what went wrong, for the report. */
  failures: string[];
  /** Extra figures (rates, sizes). */
  figures?: Record<string, number | string>;
}

export interface SuiteResult {
  suite: string;
  size: 'ci' | 'long';
  seed: number | null;
  startedAt: string;
  durationMs: number;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string };
  rows: CheckRow[];
}

/** Collects rows; keeps at most a few failure examples per row. */
export class Report {
  readonly rows: CheckRow[] = [];
  private readonly started = Date.now();

  constructor(
    readonly suite: string,
    readonly size: 'ci' | 'long',
    readonly seed: number | null,
    private readonly log: (line: string) => void = () => {},
  ) {}

  row(check: string, tried: string): CheckRow {
    const row: CheckRow = { check, tried, count: 0, bad: 0, failures: [] };
    this.rows.push(row);
    return row;
  }

  fail(row: CheckRow, what: string): void {
    row.bad++;
    if (row.failures.length < 10) row.failures.push(what);
    this.log(`FAIL ${row.check}: ${what}`);
  }

  note(line: string): void {
    this.log(line);
  }

  result(): SuiteResult {
    const cpu = cpus();
    return {
      suite: this.suite,
      size: this.size,
      seed: this.seed,
      startedAt: new Date(this.started).toISOString(),
      durationMs: Date.now() - this.started,
      machine: {
        cpus: cpu.length,
        cpuModel: cpu[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
      },
      rows: this.rows,
    };
  }
}

export function writeResult(result: SuiteResult, dir = join(import.meta.dirname, '..', 'results')): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${result.suite}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

import type { BenchOptions } from '../lib/options';
import type { Progress } from '../lib/progress';

/** What every scenario is given, and what it hands back for the report. */
export interface ScenarioContext {
  options: BenchOptions;
  progress: Progress;
  runId: string;
  resultsDir: string;
}

export interface ChartFile {
  file: string;
  title: string;
  svg: string;
}

export interface ScenarioReport {
  title: string;
  /** Markdown sections, tables first, then notes. */
  markdown: string;
  data: Record<string, unknown>;
  charts: ChartFile[];
  /** Generator CPU time over the scenario, all worker processes, ms. */
  generatorCpuMs: number;
  /** Each target the issue sets, and whether this run met it. */
  verdicts: { target: string; met: boolean | null; detail: string }[];
}

export function table(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]): string => `| ${cells.map(String).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

export function errorsText(errors: Record<string, number>): string {
  const entries = Object.entries(errors).filter(([, n]) => n > 0);
  return entries.length === 0 ? '-' : entries.map(([k, n]) => `${k}: ${n}`).join(', ');
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

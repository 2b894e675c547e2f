import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioReport } from '../scenarios/context';
import type { MachineInfo } from './machine';

/**
 * Writes one run's folder: report.md for people, report.json for tools, and
 * the SVG charts, each with the exact command and the machine it came from.
 */
export interface RunMeta {
  scenario: string;
  command: string;
  startedAt: string;
  wallSeconds: number;
  machine: MachineInfo;
  /** Password hashing cost, one scrypt with the server's parameters, ms. */
  scryptMs: number | null;
  scryptParams: string;
}

export function resultsFolder(root: string, scenario: string, at: Date): string {
  const stamp = at.toISOString().replace(/[:.]/g, '-').replace('Z', '');
  return join(root, `${stamp}-${scenario}`);
}

export function writeReport(dir: string, meta: RunMeta, report: ScenarioReport): string {
  mkdirSync(dir, { recursive: true });
  for (const chart of report.charts) writeFileSync(join(dir, chart.file), chart.svg);
  const m = meta.machine;
  const generatorCpuPercent = Math.round((report.generatorCpuMs / 1000 / meta.wallSeconds) * 100);
  const md = [
    `# ${report.title}`,
    '',
    `- Command: \`${meta.command}\``,
    `- Started: ${meta.startedAt}, wall time ${meta.wallSeconds.toFixed(1)} s`,
    `- Machine: ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}, load average at start ${m.loadAverage.join(' ')}`,
    `- Password hashing: one scrypt (${meta.scryptParams}) costs ${meta.scryptMs === null ? 'n/a' : `${meta.scryptMs.toFixed(1)} ms`}; benchmark accounts are seeded with a precomputed hash and log in by session token.`,
    `- Generator CPU: ${(report.generatorCpuMs / 1000).toFixed(1)} s over all worker processes (${generatorCpuPercent}% of one core averaged over the run).`,
    '',
    report.markdown,
    '',
    '## Targets',
    '',
    '| target | met | detail |',
    '| --- | --- | --- |',
    ...report.verdicts.map((v) => `| ${v.target} | ${v.met === null ? 'not measured' : v.met ? 'yes' : 'NO'} | ${v.detail} |`),
    '',
    ...report.charts.flatMap((c) => [`![${c.title}](${c.file})`, '']),
  ].join('\n');
  writeFileSync(join(dir, 'report.md'), md);
  writeFileSync(join(dir, 'report.json'), JSON.stringify({ meta, title: report.title, verdicts: report.verdicts, generatorCpuMs: report.generatorCpuMs, data: report.data }, null, 2));
  return md;
}

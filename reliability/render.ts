import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SuiteResult } from './lib/results';

/**
 * Prints the committed results (reliability/results/*.json) as the Markdown
 * tables of docs/RELIABILITY.md: `node --import tsx reliability/render.ts`.
 */
const dir = join(import.meta.dirname, 'results');
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  const r = JSON.parse(readFileSync(join(dir, file), 'utf8')) as SuiteResult;
  const command = `node --import tsx reliability/cli.ts ${r.suite}${r.size === 'long' ? ' --long' : ''}${r.seed !== null ? ` --seed ${r.seed}` : ''}`;
  process.stdout.write(`### ${r.suite}\n\n`);
  process.stdout.write(`\`${command}\` — ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${Math.round(r.durationMs / 1000)} s, ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}\n\n`);
  process.stdout.write('| Check | What was tried | Times | Lost / let through | Figures |\n|---|---|---:|---:|---|\n');
  for (const row of r.rows) {
    const figures = row.figures ? Object.entries(row.figures).map(([k, v]) => `${k} ${v}`).join(', ') : '';
    process.stdout.write(`| ${row.check} | ${row.tried.replace(/\|/g, '\\|')} | ${row.count} | ${row.bad} | ${figures} |\n`);
    for (const f of row.failures) process.stdout.write(`| | ↳ ${f.replace(/\|/g, '\\|').slice(0, 300)} | | | |\n`);
  }
  process.stdout.write('\n');
}

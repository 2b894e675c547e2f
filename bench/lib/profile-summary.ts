import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Summarises the V8 CPU profiles written by `--cpu-prof`: the functions with
 * the most self time, and the server functions with the most inclusive time,
 * so a report says what dominates without opening a profiler.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function frameName(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  const file = url.replace(/^file:\/\//, '').replace(/^.*?\/(server|src|bench|node_modules)\//, '$1/');
  return `${functionName || '(anonymous)'} ${file}`.trim();
}

function summariseOne(profile: CpuProfile, top: number): { totalMs: number; self: [string, number][]; inclusive: [string, number][] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const timeById = new Map<number, number>();
  profile.samples.forEach((id, i) => timeById.set(id, (timeById.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const [id, us] of timeById) {
    total += us;
    const node = byId.get(id)!;
    self.set(frameName(node), (self.get(frameName(node)) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = byId.get(at)!;
      if (!n.callFrame.url.includes('/server/')) continue;
      const name = frameName(n);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + us);
    }
  }
  const pct = (m: Map<string, number>): [string, number][] =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => [k, Math.round((v / total) * 1000) / 10]);
  return { totalMs: Math.round(total / 1000), self: pct(self), inclusive: pct(inclusive) };
}

/** Markdown for every .cpuprofile in `dir`, or '' when there is none. */
export function summariseProfiles(dir: string, top = 15): string {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return '';
  }
  return files
    .map((file) => {
      const s = summariseOne(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, top);
      if (s.inclusive.length === 0) return `Profile \`${file}\` (${s.totalMs} ms): no server frames (a helper thread).`;
      return [
        `### Profile \`${file}\` (${s.totalMs} ms sampled)`,
        '',
        '| self % | function file |',
        '| --- | --- |',
        ...s.self.map(([k, v]) => `| ${v} | ${k} |`),
        '',
        '| inclusive % | server function file |',
        '| --- | --- |',
        ...s.inclusive.map(([k, v]) => `| ${v} | ${k} |`),
      ].join('\n');
    })
    .join('\n\n');
}

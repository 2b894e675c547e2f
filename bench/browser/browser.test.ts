import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBench } from '../cli';
import type { SampleSummary } from './samples';

/**
 * Smoke run of `npm run bench -- browser --smoke` (1 run of each figure, 3
 * sends, 5 conversations, 300 messages) so the browser benchmark cannot rot.
 * It needs the system Chromium and a built app; without either it is skipped
 * (scripts/test-all.sh runs Vitest before `vite build` and the browser
 * install, so on a fresh checkout it only runs once dist/ exists).
 */
const chromium = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const built = existsSync(join(process.env['DIST_DIR'] ?? 'dist', 'index.html'));
const out = mkdtempSync(join(tmpdir(), 'bench-browser-smoke-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.skipIf(!existsSync(chromium) || !built)('browser benchmark, smoke size', () => {
  it('measures every figure and every message arrives', { timeout: 60_000 }, async () => {
    const result = await runBench(['browser', '--smoke', '--quiet', '--out', out]);
    expect(result).not.toBeNull();
    const json = JSON.parse(readFileSync(join(result!.dir, 'report.json'), 'utf8')) as {
      data: { figures: Record<string, SampleSummary>; cachedMessages: number; arrived: number; sends: number };
    };
    const { figures, cachedMessages, arrived, sends } = json.data;
    expect(cachedMessages).toBe(300);
    expect(sends).toBe(3);
    expect(arrived).toBe(3);
    for (const name of ['coldOnline', 'coldOffline', 'open', 'echoDom', 'echoPaint', 'otherScreen']) {
      const f = figures[name]!;
      expect(f.count, name).toBeGreaterThan(0);
      expect(f.min, name).toBeGreaterThan(0);
      expect(f.min, name).toBeLessThanOrEqual(f.median);
      expect(f.median, name).toBeLessThanOrEqual(f.p95);
      expect(f.p95, name).toBeLessThanOrEqual(f.max);
    }
    expect(figures['otherScreen']!.count).toBe(3);
    expect(figures['listRows']!.min).toBeGreaterThan(0);
    expect(figures['heapAfter']!.min).toBeGreaterThan(0);
    expect(readFileSync(join(result!.dir, 'report.md'), 'utf8')).toContain('## Targets');
  });
});

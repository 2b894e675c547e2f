import { describe, expect, it } from 'vitest';
import { pickSeed } from './lib/random';
import { FUZZ_SIZES, runFuzz } from './suites/fuzz';

describe('fuzz: bad input over the socket gateway', () => {
  it('answers every frame with a coded error or a documented close, leaks nothing, and keeps serving', async () => {
    const seed = pickSeed();
    console.info(`fuzz seed ${seed} (replay: RELIABILITY_SEED=${seed})`);
    const report = await runFuzz(FUZZ_SIZES.ci, seed, (line) => console.info(line));
    for (const row of report.rows) expect({ check: row.check, failures: row.failures }).toEqual({ check: row.check, failures: [] });
    expect(report.rows[0]!.count).toBeGreaterThan(3000);
  }, 60_000);
});

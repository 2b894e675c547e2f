import { describe, expect, it } from 'vitest';
import { pickSeed } from './lib/random';
import { NETWORK_SIZES, runNetwork } from './suites/network';

/** CI size: 60 cuts among 8 cores (the long run: 2,000 among 16). */
const SIZE = { ...NETWORK_SIZES.ci, cuts: 60 };

describe('network: connections cut mid-frame, stalled and delayed', () => {
  it('the client core delivers every written message exactly once, in order, and every history ends gap-free', async () => {
    const seed = pickSeed();
    console.info(`network seed ${seed} (replay: RELIABILITY_SEED=${seed})`);
    const report = await runNetwork(SIZE, seed, (line) => console.info(line));
    for (const row of report.rows) expect({ check: row.check, failures: row.failures }).toEqual({ check: row.check, failures: [] });
    expect(report.rows[0]!.count).toBeGreaterThanOrEqual(SIZE.cuts);
  }, 60_000);
});

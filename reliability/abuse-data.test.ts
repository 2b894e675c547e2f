import { describe, expect, it } from 'vitest';
import { pickSeed } from './lib/random';
import { ABUSE_DATA_SIZES, runAbuseData } from './suites/abuse-data';

describe('abuse of what others read', () => {
  it('refuses malformed strings, reads back what it acknowledged, keeps every reply within the client cap, bounds group floods, cuts off non-readers', async () => {
    const seed = pickSeed();
    console.info(`abuse-data seed ${seed} (replay: RELIABILITY_SEED=${seed})`);
    const report = await runAbuseData(ABUSE_DATA_SIZES.ci, seed, (line) => console.info(line));
    for (const row of report.rows) expect({ check: row.check, failures: row.failures }).toEqual({ check: row.check, failures: [] });
    expect(report.rows.every((r) => r.count > 0)).toBe(true);
  }, 90_000);
});

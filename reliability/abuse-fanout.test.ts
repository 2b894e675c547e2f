import { describe, expect, it } from 'vitest';
import { FANOUT_SIZES, runFanout } from './suites/abuse-fanout';

describe('abuse-fanout: what one member makes others receive', () => {
  it('keeps typing, receipts, presence flaps and resubscribes within a few frames per interval for every other member', async () => {
    const report = await runFanout(FANOUT_SIZES.ci, (line) => console.info(line));
    for (const row of report.rows) expect({ check: row.check, failures: row.failures }).toEqual({ check: row.check, failures: [] });
    expect(report.rows.every((r) => r.count > 0)).toBe(true);
  }, 60_000);
});

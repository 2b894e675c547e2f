import { describe, expect, it } from 'vitest';
import { DISK_SIZES, runDisk } from './suites/disk';

describe('disk: the database cannot grow (a full disk) or be written (directory not writable)', () => {
  it('refuses sends with a coded error, acknowledges nothing it did not store, reports 503, and recovers', async () => {
    const report = await runDisk(DISK_SIZES.ci, (line) => console.info(line));
    for (const row of report.rows) expect({ check: row.check, failures: row.failures }).toEqual({ check: row.check, failures: [] });
    expect(report.rows.every((r) => r.count > 0)).toBe(true);
  }, 90_000);
});

import { describe, expect, it } from 'vitest';
import { AUTHZ_SIZES, runAuthz } from './suites/authz';

describe('authorization matrix', () => {
  it('lets members in, keeps nobody and outsiders out, and shows outsiders nothing', async () => {
    const report = await runAuthz(AUTHZ_SIZES.ci, (line) => console.info(line));
    for (const row of report.rows) expect({ check: row.check, failures: row.failures }).toEqual({ check: row.check, failures: [] });
    expect(report.rows.every((r) => r.count > 0)).toBe(true);
  }, 30_000);
});

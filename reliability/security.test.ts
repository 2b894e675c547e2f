import { describe, expect, it } from 'vitest';
import { SECURITY_SIZES, runSecurity } from './suites/security';

describe('security: sessions, origins, headers', () => {
  it('keeps tokens strong and hashed, expires and revokes sessions, refuses foreign origins, sends strict headers', async () => {
    const report = await runSecurity(SECURITY_SIZES.ci, (line) => console.info(line));
    for (const row of report.rows) expect({ check: row.check, failures: row.failures }).toEqual({ check: row.check, failures: [] });
    expect(report.rows.every((r) => r.count > 0)).toBe(true);
  }, 40_000);
});

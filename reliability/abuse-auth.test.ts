import { describe, expect, it } from 'vitest';
import { ABUSE_AUTH_SIZES, runAbuseAuth } from './suites/abuse-auth';

describe('abuse-auth: login, sign-up and hashing under attack', () => {
  it('counts guesses when they start, slows strangers without locking out owners, caps sprays, sign-ups, token guesses and sessions, and bounds hashing', async () => {
    const report = await runAbuseAuth(ABUSE_AUTH_SIZES.ci, (line) => console.info(line));
    for (const row of report.rows) expect({ check: row.check, failures: row.failures }).toEqual({ check: row.check, failures: [] });
    expect(report.rows.every((r) => r.count > 0)).toBe(true);
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import { ABUSE_HTTP_SIZES, runAbuseHttp } from './suites/abuse-http';

describe('abuse-http: the HTTP side against clients with no account', () => {
  it('closes cut-off and unread downloads, writes nothing per /healthz, bounds the WAL, cuts off unfinished requests, caps connections, refuses cross-site actions, restricts /metrics, purges expired sessions', async () => {
    const report = await runAbuseHttp(ABUSE_HTTP_SIZES.ci, (line) => console.info(line));
    for (const row of report.rows) expect({ check: row.check, failures: row.failures }).toEqual({ check: row.check, failures: [] });
    expect(report.rows.every((r) => r.count > 0)).toBe(true);
  }, 120_000);
});

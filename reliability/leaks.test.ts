import { afterAll, describe, expect, it } from 'vitest';
import { killAllChildren } from './lib/child-server';
import { LEAK_SIZES, runLeaks } from './suites/leaks';

afterAll(() => killAllChildren());

describe('leaks: connect/login/subscribe/disconnect cycles', () => {
  it('leave the server heap, handles and descriptors where they started', async () => {
    const report = await runLeaks(LEAK_SIZES.ci, (line) => console.info(line));
    for (const row of report.rows) expect({ check: row.check, failures: row.failures }).toEqual({ check: row.check, failures: [] });
  }, 60_000);
});

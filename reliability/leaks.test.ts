import { afterAll, describe, expect, it } from 'vitest';
import { killAllChildren } from './lib/child-server';
import { LEAK_SIZES, runLeaks } from './suites/leaks';

afterAll(() => killAllChildren());

/** CI size: 600 cycles after 200 warm-up (a leak of 5 KiB a cycle still breaks the 3 MiB heap tolerance; handles and fds +2 catch any leaked socket); the long run does 20,000. */
const SIZE = { ...LEAK_SIZES.ci, cycles: 600, warmup: 200 };

describe('leaks: connect/login/subscribe/disconnect cycles', () => {
  it('leave the server heap, handles and descriptors where they started', async () => {
    const report = await runLeaks(SIZE, (line) => console.info(line));
    for (const row of report.rows) expect({ check: row.check, failures: row.failures }).toEqual({ check: row.check, failures: [] });
  }, 60_000);
});

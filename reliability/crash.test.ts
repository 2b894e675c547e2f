import { afterAll, describe, expect, it } from 'vitest';
import { killAllChildren } from './lib/child-server';
import { pickSeed } from './lib/random';
import { CRASH_SIZES, runCrash } from './suites/crash';

afterAll(() => killAllChildren());

/** CI size: two kills (each restart costs a tsx start-up, ~1-5 s under load); the long run does 30. */
const SIZE = { ...CRASH_SIZES.ci, kills: 2 };

describe('crash: kill -9 of the server while clients write', () => {
  it('keeps every acknowledged message and delivers every written one exactly once, in order, gap-free', async () => {
    const seed = pickSeed();
    const report = await runCrash(SIZE, seed, (line) => console.info(line));
    console.info(`crash seed ${seed} (replay: RELIABILITY_SEED=${seed})`);
    for (const row of report.rows) expect({ check: row.check, failures: row.failures }).toEqual({ check: row.check, failures: [] });
    expect(report.rows.find((r) => r.check.startsWith('kill -9'))!.count).toBe(SIZE.kills);
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import { MemoryThrottleStore, backoffWaitMs } from './throttle-store';

describe('MemoryThrottleStore', () => {
  it('spends a budget in a burst, then one per windowMs / limit, and takes nothing while refusing', async () => {
    let now = 0;
    const store = new MemoryThrottleStore(100, () => now);
    const rate = { limit: 4, windowMs: 4000 };
    for (let i = 0; i < 4; i++) expect(await store.take('k', rate)).toBe(0);
    expect(await store.take('k', rate)).toBe(1000);
    expect(await store.take('k', rate)).toBe(1000);
    now = 1000;
    expect(await store.take('k', rate)).toBe(0);
    expect(await store.take('k', rate)).toBe(1000);
    expect(await store.waitOf('k', rate)).toBe(1000);
    await store.give('k', rate);
    expect(await store.waitOf('k', rate)).toBe(0);
    expect(await store.take('k', rate)).toBe(0);
    expect(await store.waitOf('fresh', rate)).toBe(0);
  });

  it('waits after the free strikes, doubling, and a refused strike is not counted', async () => {
    let now = 0;
    const store = new MemoryThrottleStore(100, () => now);
    const backoff = { free: 2, baseMs: 100, maxMs: 1000, forgetMs: 5000 };
    expect([0, 1, 2, 3, 4, 20].map((k) => backoffWaitMs(k, backoff))).toEqual([0, 0, 100, 200, 400, 1000]);
    expect(await store.strike('p', backoff)).toBe(0);
    expect(await store.strike('p', backoff)).toBe(0);
    expect(await store.strike('p', backoff)).toBe(100);
    now = 99;
    expect(await store.strike('p', backoff)).toBe(1);
    now = 100;
    expect(await store.strike('p', backoff)).toBe(0);
    expect(await store.strike('p', backoff)).toBe(200);
    expect(await store.strike('p', backoff)).toBe(200);
    // Taking the third strike back leaves the wait of two.
    await store.unstrike('p');
    expect(await store.strike('p', backoff)).toBe(100);
    await store.forgive('p');
    expect(await store.strike('p', backoff)).toBe(0);
  });

  it('keeps at most maxEntries keys under a spray of fresh ones, dropping the least recently written', async () => {
    const store = new MemoryThrottleStore(1000, () => 0);
    const rate = { limit: 1, windowMs: 60_000 };
    await store.remember('owner', 60_000);
    for (let i = 0; i < 5000; i++) {
      await store.take(`spray-${i}`, rate);
      if (i % 100 === 0) await store.remember('owner', 60_000);
      expect(store.size).toBeLessThanOrEqual(1000);
    }
    expect(await store.remembers('owner')).toBe(true);
    expect(await store.take('spray-4999', rate)).toBeGreaterThan(0);
    expect(await store.take('spray-0', rate)).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { MemorySocketCounts } from './socket-counts';

describe('MemorySocketCounts', () => {
  it('acquires up to the cap, frees on release, forgets keys at zero, and treats 0 as no cap', async () => {
    const counts = new MemorySocketCounts();
    expect(await counts.tryAcquire('a', 2)).toBe(true);
    expect(await counts.tryAcquire('a', 2)).toBe(true);
    expect(await counts.tryAcquire('a', 2)).toBe(false);
    expect(counts.count('a')).toBe(2);
    counts.release('a');
    expect(await counts.tryAcquire('a', 2)).toBe(true);
    counts.release('a');
    counts.release('a');
    expect(counts.size).toBe(0);
    for (let i = 0; i < 1000; i++) expect(await counts.tryAcquire('b', 0)).toBe(true);
  });
});

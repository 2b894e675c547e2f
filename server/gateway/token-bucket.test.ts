import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('allows the burst, then the sustained rate', () => {
    let now = 0;
    const bucket = new TokenBucket(50, 200, 5000, () => now);
    for (let i = 0; i < 200; i++) expect(bucket.take()).toBe('ok');
    expect(bucket.take()).toBe('limited');
    now += 100; // 5 tokens
    for (let i = 0; i < 5; i++) expect(bucket.take()).toBe('ok');
    expect(bucket.take()).toBe('limited');
  });

  it('says close when refusals continue 5 s after the first, but not for a client that backs off', () => {
    let now = 0;
    const flooder = new TokenBucket(50, 200, 5000, () => now);
    for (let i = 0; i < 200; i++) flooder.take();
    let verdict = flooder.take();
    while (verdict !== 'close' && now < 10_000) {
      now += 10;
      for (let i = 0; i < 3; i++) verdict = flooder.take();
    }
    expect(verdict).toBe('close');
    expect(now).toBeGreaterThanOrEqual(5000);
    expect(now).toBeLessThan(5100);

    now = 0;
    const polite = new TokenBucket(50, 200, 5000, () => now);
    for (let i = 0; i < 200; i++) polite.take();
    for (let round = 0; round < 20; round++) {
      // Sends until refused, then backs off 1.5 s: never closed however long the outbox.
      let verdict = polite.take();
      for (let i = 0; i < 500 && verdict === 'ok'; i++) verdict = polite.take();
      expect(verdict).toBe('limited');
      now += 1500;
    }
  });
});

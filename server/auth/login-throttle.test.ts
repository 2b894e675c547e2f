import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle';

describe('LoginThrottle', () => {
  it('throttles after 5 failures in 15 minutes until the oldest leaves the window', () => {
    let now = 0;
    const throttle = new LoginThrottle(5, 15 * 60_000, () => now);
    for (let i = 0; i < 5; i++) {
      expect(throttle.isThrottled('amy')).toBe(false);
      throttle.recordFailure('amy');
      now += 60_000;
    }
    expect(throttle.isThrottled('amy')).toBe(true);
    expect(throttle.isThrottled('bob')).toBe(false);
    now = 15 * 60_000 - 1;
    expect(throttle.isThrottled('amy')).toBe(true);
    now = 15 * 60_000 + 1;
    expect(throttle.isThrottled('amy')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { CookieCodes } from './cookie-codes';

describe('CookieCodes', () => {
  it('gives each code\'s token back once, within its lifetime only', () => {
    let now = 1_000;
    const codes = new CookieCodes({ ttlMs: 60_000, perUser: 5, total: 100 }, () => now);
    const a = codes.issue('u1', 'token-a');
    const b = codes.issue('u1', 'token-b');
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(codes.redeem(a)).toEqual({ token: 'token-a', userId: 'u1' });
    expect(codes.redeem(a)).toBeNull();
    now += 60_000;
    expect(codes.redeem(b)).toBeNull();
    expect(codes.redeem('never-issued')).toBeNull();
    expect(codes.size).toBe(0);
  });

  it('holds at most perUser codes a user and total codes in all, dropping the oldest', () => {
    const codes = new CookieCodes({ ttlMs: 60_000, perUser: 2, total: 3 }, () => 0);
    const [one, two, three] = ['t1', 't2', 't3'].map((t) => codes.issue('u1', t)) as [string, string, string];
    expect(codes.redeem(one)).toBeNull();
    expect(codes.size).toBe(2);
    const others = ['x1', 'x2'].map((t) => codes.issue('u2', t));
    expect(codes.size).toBe(3);
    expect(codes.redeem(two)).toBeNull();
    expect(codes.redeem(three)).toEqual({ token: 't3', userId: 'u1' });
    expect(others.map((c) => codes.redeem(c)?.token)).toEqual(['x1', 'x2']);
  });

  it('stores codes hashed and forgets a user\'s codes on request', () => {
    const codes = new CookieCodes({ ttlMs: 60_000, perUser: 5, total: 100 }, () => 0);
    const code = codes.issue('u1', 'token');
    expect(JSON.stringify([...(codes as unknown as { held: Map<string, unknown> }).held.keys()])).not.toContain(code);
    codes.forgetUser('u1');
    expect(codes.redeem(code)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../config';
import { LoginThrottle, type LoginAttempt, type Wait } from './login-throttle';
import { MemoryThrottleStore } from './throttle-store';

const MINUTE = 60_000;

function world(overrides: Partial<ReturnType<typeof defaultConfig>['limits']> = {}) {
  const clock = { now: 0 };
  const limits = { ...defaultConfig().limits, loginDelayBaseMs: 1000, ...overrides };
  const throttle = new LoginThrottle(new MemoryThrottleStore(10_000, () => clock.now), limits);
  return { clock, limits, throttle };
}

const waited = (r: LoginAttempt | Wait): number => ('retryAfterMs' in r ? r.retryAfterMs : 0);

describe('LoginThrottle', () => {
  it('counts attempts when they start: of 40 begun at once for one username and address, 5 go ahead', async () => {
    const { throttle } = world();
    const results = await Promise.all(Array.from({ length: 40 }, () => throttle.beginPassword('amy', '10.0.0.1')));
    expect(results.filter((r) => waited(r) === 0)).toHaveLength(5);
    expect(results.filter((r) => waited(r) > 0)).toHaveLength(35);
  });

  it('makes each failure past the allowed five wait twice as long, up to the maximum', async () => {
    const { clock, throttle } = world({ loginDelayMaxMs: 8000 });
    for (let i = 0; i < 5; i++) expect(waited(await throttle.beginPassword('amy', '10.0.0.1'))).toBe(0);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const wait = waited(await throttle.beginPassword('amy', '10.0.0.1'));
      waits.push(wait);
      clock.now += wait;
      expect(waited(await throttle.beginPassword('amy', '10.0.0.1'))).toBe(0);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('slows only the address that failed: the owner elsewhere logs in, and a success clears the count', async () => {
    const { throttle } = world();
    for (let i = 0; i < 5; i++) await throttle.beginPassword('amy', '10.0.0.1');
    expect(waited(await throttle.beginPassword('amy', '10.0.0.1'))).toBeGreaterThan(0);
    expect(waited(await throttle.beginPassword('amy', '10.0.0.2'))).toBe(0);
    const own = world().throttle;
    for (let i = 0; i < 4; i++) await own.beginPassword('bob', '10.0.0.3');
    await own.passwordSucceeded((await own.beginPassword('bob', '10.0.0.3')) as LoginAttempt);
    for (let i = 0; i < 5; i++) expect(waited(await own.beginPassword('bob', '10.0.0.3'))).toBe(0);
  });

  it('forgets a (username, address) a window after its last wait ended', async () => {
    const { clock, throttle } = world();
    for (let i = 0; i < 5; i++) await throttle.beginPassword('amy', '10.0.0.1');
    clock.now += 1000 + 15 * MINUTE;
    for (let i = 0; i < 5; i++) expect(waited(await throttle.beginPassword('amy', '10.0.0.1'))).toBe(0);
  });

  it('gives one address 20 failures over all usernames per window, refilling one every 45 s; IPv6 counts by /64', async () => {
    const { clock, throttle } = world();
    for (let i = 0; i < 20; i++) expect(waited(await throttle.beginPassword(`user${i}`, '10.0.0.1'))).toBe(0);
    expect(waited(await throttle.beginPassword('another', '10.0.0.1'))).toBe(45_000);
    expect(waited(await throttle.beginPassword('another', '10.0.0.2'))).toBe(0);
    clock.now += 45_000;
    expect(waited(await throttle.beginPassword('another', '10.0.0.1'))).toBe(0);
    for (let i = 0; i < 20; i++) await throttle.beginPassword(`v6-${i}`, `2001:db8:0:1::${i + 1}`);
    expect(waited(await throttle.beginPassword('v6-x', '2001:db8:0:1:ffff::1'))).toBeGreaterThan(0);
    expect(waited(await throttle.beginPassword('v6-x', '2001:db8:0:2::1'))).toBe(0);
  });

  it('caps failures of one username over all addresses, except from an address that logged in as that user', async () => {
    const { throttle } = world({ loginFailuresPerUsername: 10 });
    await throttle.passwordSucceeded((await throttle.beginPassword('amy', '10.9.9.9')) as LoginAttempt);
    for (let a = 0; a < 10; a++) expect(waited(await throttle.beginPassword('amy', `10.0.0.${a}`))).toBe(0);
    expect(waited(await throttle.beginPassword('amy', '10.0.1.1'))).toBeGreaterThan(0);
    expect(waited(await throttle.beginPassword('amy', '10.9.9.9'))).toBe(0);
    // A refused attempt took nothing: the address that was refused still has its own allowance.
    expect(waited(await throttle.beginPassword('zed', '10.0.1.1'))).toBe(0);
    await throttle.tokenSucceeded('amy', '10.8.8.8');
    expect(waited(await throttle.beginPassword('amy', '10.8.8.8'))).toBe(0);
  });

  it('allows a username passwordLoginsPerUsername successful password logins per window, then makes it wait', async () => {
    const { clock, throttle } = world({ passwordLoginsPerUsername: 3 });
    for (let i = 0; i < 3; i++) await throttle.passwordSucceeded((await throttle.beginPassword('amy', `10.0.0.${i}`)) as LoginAttempt);
    expect(waited(await throttle.beginPassword('amy', '10.0.0.9'))).toBe(5 * MINUTE);
    expect(waited(await throttle.beginPassword('bob', '10.0.0.9'))).toBe(0);
    clock.now += 5 * MINUTE;
    expect(waited(await throttle.beginPassword('amy', '10.0.0.9'))).toBe(0);
  });

  it('holds a success while the password is checked, and gives it back when it was wrong', async () => {
    const { throttle } = world({ passwordLoginsPerUsername: 2 });
    const first = (await throttle.beginPassword('amy', '10.0.0.1')) as LoginAttempt;
    await throttle.beginPassword('amy', '10.0.0.2');
    expect(waited(await throttle.beginPassword('amy', '10.0.0.3'))).toBeGreaterThan(0);
    await throttle.passwordFailed(first);
    expect(waited(await throttle.beginPassword('amy', '10.0.0.3'))).toBe(0);
  });

  it('gives back an attempt that was never tried', async () => {
    const { throttle } = world({ loginFailuresPerAddress: 2 });
    for (let i = 0; i < 5; i++) await throttle.passwordNotTried((await throttle.beginPassword('amy', '10.0.0.1')) as LoginAttempt);
    expect(waited(await throttle.beginPassword('amy', '10.0.0.1'))).toBe(0);
    expect(waited(await throttle.beginPassword('bob', '10.0.0.1'))).toBe(0);
  });

  it('caps failed token logins and sign-ups per address', async () => {
    const { throttle } = world({ tokenLoginFailuresPerAddress: 3, accountCreationsPerAddress: 2 });
    for (let i = 0; i < 3; i++) expect(await throttle.beginToken('10.0.0.1')).toBe(0);
    expect(await throttle.beginToken('10.0.0.1')).toBeGreaterThan(0);
    expect(await throttle.beginToken('10.0.0.2')).toBe(0);
    await throttle.tokenSucceeded('amy', '10.0.0.2');
    for (let i = 0; i < 3; i++) expect(await throttle.beginToken('10.0.0.2')).toBe(0);
    expect(await throttle.beginSignup('10.0.0.1')).toEqual({ waitMs: 0, spent: null });
    expect(await throttle.beginSignup('10.0.0.1')).toEqual({ waitMs: 0, spent: null });
    expect(await throttle.beginSignup('10.0.0.1')).toEqual({ waitMs: 30 * MINUTE, spent: 'address' });
    await throttle.signupNotTried('10.0.0.1');
    expect((await throttle.beginSignup('10.0.0.1')).spent).toBeNull();
  });

  it('caps sign-ups over all addresses too, without spending the refused address\'s own budget', async () => {
    const { throttle } = world({ accountCreationsPerAddress: 2, accountCreationsTotal: 5 });
    for (let a = 0; a < 5; a++) expect((await throttle.beginSignup(`10.0.0.${a}`)).spent).toBeNull();
    expect(await throttle.beginSignup('10.0.1.1')).toEqual({ waitMs: 12 * MINUTE, spent: 'total' });
    await throttle.signupNotTried('10.0.0.0');
    expect((await throttle.beginSignup('10.0.1.1')).spent).toBeNull();
    expect((await throttle.beginSignup('10.0.1.1')).spent).toBe('total');
  });
});

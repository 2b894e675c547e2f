import type { ServerLimits } from '../config';
import { addressKey } from './address-key';
import type { Backoff, Rate, ThrottleStore } from './throttle-store';

type Limits = Pick<
  ServerLimits,
  | 'loginFailuresAllowed'
  | 'loginFailureWindowMs'
  | 'loginDelayBaseMs'
  | 'loginDelayMaxMs'
  | 'loginFailuresPerAddress'
  | 'loginFailuresPerUsername'
  | 'tokenLoginFailuresPerAddress'
  | 'accountCreationsPerAddress'
  | 'accountCreationWindowMs'
  | 'trustedSessionMs'
>;

/** A password attempt that was let through; what it counted, for taking it back. */
export interface LoginAttempt {
  username: string;
  address: string;
  countedForUsername: boolean;
}

/** Refused: try again in this many ms. */
export interface Wait {
  retryAfterMs: number;
}

/**
 * Who may try a password, a token or a sign-up now. Every attempt is counted
 * when it starts (a success is given back), so parallel attempts cannot
 * outrun the count. Password attempts are limited three ways:
 * - per (username, address): a few free failures, then waits that double
 *   with each further one. A stranger slows only their own address.
 * - per address, over all usernames: a budget per window, against a spray.
 * - per username, over all addresses: a higher budget per window, against a
 *   distributed run; an address that logged in as that user recently (the
 *   owner's) is exempt, so such a run cannot lock the owner out.
 * Unknown usernames count exactly like known ones, so a refusal says
 * nothing about which accounts exist.
 */
export class LoginThrottle {
  constructor(
    private readonly store: ThrottleStore,
    private readonly limits: Limits,
  ) {}

  async beginPassword(username: string, address: string): Promise<LoginAttempt | Wait> {
    const l = this.limits;
    const at = addressKey(address);
    const pair = pairKey(username, at);
    const pairWait = await this.store.strike(pair, this.backoff());
    if (pairWait > 0) return { retryAfterMs: pairWait };
    const addressWait = await this.store.take(`login-address:${at}`, this.rate(l.loginFailuresPerAddress));
    if (addressWait > 0) {
      await this.store.unstrike(pair);
      return { retryAfterMs: addressWait };
    }
    const known = await this.store.remembers(knownKey(username, at));
    if (!known) {
      const usernameWait = await this.store.take(`login-username:${username}`, this.rate(l.loginFailuresPerUsername));
      if (usernameWait > 0) {
        await this.store.unstrike(pair);
        await this.store.give(`login-address:${at}`, this.rate(l.loginFailuresPerAddress));
        return { retryAfterMs: usernameWait };
      }
    }
    return { username, address: at, countedForUsername: !known };
  }

  /** The password was right: the attempt's counts are given back, and its address is the owner's from now on. */
  async passwordSucceeded(attempt: LoginAttempt): Promise<void> {
    await this.store.forgive(pairKey(attempt.username, attempt.address));
    await this.giveBack(attempt);
    await this.rememberAddress(attempt.username, attempt.address);
  }

  /** The attempt was never tried (no room to hash it): its counts are given back. */
  async passwordNotTried(attempt: LoginAttempt): Promise<void> {
    await this.store.unstrike(pairKey(attempt.username, attempt.address));
    await this.giveBack(attempt);
  }

  /** A token login from `address`: 0 to go ahead (counted as a failure until tokenSucceeded), else the ms to wait. */
  beginToken(address: string): Promise<number> {
    return this.store.take(`token-address:${addressKey(address)}`, this.rate(this.limits.tokenLoginFailuresPerAddress));
  }

  async tokenSucceeded(username: string, address: string): Promise<void> {
    const at = addressKey(address);
    await this.store.give(`token-address:${at}`, this.rate(this.limits.tokenLoginFailuresPerAddress));
    await this.rememberAddress(username, at);
  }

  /** A sign-up attempt from `address` (taken names count too: they tell which names exist): 0 to go ahead, else the ms to wait. */
  beginSignup(address: string): Promise<number> {
    return this.store.take(`signup-address:${addressKey(address)}`, this.signupRate());
  }

  /** A sign-up that was never tried (no room to hash it). */
  signupNotTried(address: string): Promise<void> {
    return this.store.give(`signup-address:${addressKey(address)}`, this.signupRate());
  }

  clear(): void {
    this.store.clear();
  }

  private async giveBack(attempt: LoginAttempt): Promise<void> {
    await this.store.give(`login-address:${attempt.address}`, this.rate(this.limits.loginFailuresPerAddress));
    if (attempt.countedForUsername) await this.store.give(`login-username:${attempt.username}`, this.rate(this.limits.loginFailuresPerUsername));
  }

  private rememberAddress(username: string, at: string): Promise<void> {
    // As long as a trusted session lasts: the owner's devices log in by token from there.
    return this.store.remember(knownKey(username, at), this.limits.trustedSessionMs);
  }

  private backoff(): Backoff {
    const l = this.limits;
    return { free: l.loginFailuresAllowed, baseMs: l.loginDelayBaseMs, maxMs: l.loginDelayMaxMs, forgetMs: l.loginFailureWindowMs };
  }

  private rate(limit: number): Rate {
    return { limit, windowMs: this.limits.loginFailureWindowMs };
  }

  private signupRate(): Rate {
    return { limit: this.limits.accountCreationsPerAddress, windowMs: this.limits.accountCreationWindowMs };
  }
}

function pairKey(username: string, at: string): string {
  return `login-pair:${username}\n${at}`;
}

function knownKey(username: string, at: string): string {
  return `login-known:${username}\n${at}`;
}

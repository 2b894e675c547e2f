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
  | 'passwordLoginsPerUsername'
  | 'tokenLoginFailuresPerAddress'
  | 'accountCreationsPerAddress'
  | 'accountCreationWindowMs'
  | 'accountCreationsTotal'
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
 * Successful password logins have a budget per username too (held while the
 * password is checked, kept only when it was right): each costs a hash, and
 * one account must not keep the hash queue full for everyone.
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
    const addressWait = await this.store.take(addressBudget(at), this.rate(l.loginFailuresPerAddress));
    if (addressWait > 0) {
      await this.store.unstrike(pair);
      return { retryAfterMs: addressWait };
    }
    const known = await this.store.remembers(knownKey(username, at));
    const attempt: LoginAttempt = { username, address: at, countedForUsername: !known };
    if (!known) {
      const usernameWait = await this.store.take(usernameBudget(username), this.rate(l.loginFailuresPerUsername));
      if (usernameWait > 0) {
        await this.store.unstrike(pair);
        await this.store.give(addressBudget(at), this.rate(l.loginFailuresPerAddress));
        return { retryAfterMs: usernameWait };
      }
    }
    // Held while the password is checked and kept only if it was right; only the owner can spend it.
    const successWait = await this.store.take(successBudget(username), this.rate(l.passwordLoginsPerUsername));
    if (successWait > 0) {
      await this.store.unstrike(pair);
      await this.giveBackFailure(attempt);
      return { retryAfterMs: successWait };
    }
    return attempt;
  }

  /** The password was wrong (or the username unknown): the attempt stays counted as a failure. */
  passwordFailed(attempt: LoginAttempt): Promise<void> {
    return this.store.give(successBudget(attempt.username), this.rate(this.limits.passwordLoginsPerUsername));
  }

  /** The password was right: the failure counts are given back, the success kept, and its address is the owner's from now on. */
  async passwordSucceeded(attempt: LoginAttempt): Promise<void> {
    await this.store.forgive(pairKey(attempt.username, attempt.address));
    await this.giveBackFailure(attempt);
    await this.rememberAddress(attempt.username, attempt.address);
  }

  /** The attempt was never tried (no room to hash it): all its counts are given back. */
  async passwordNotTried(attempt: LoginAttempt): Promise<void> {
    await this.store.unstrike(pairKey(attempt.username, attempt.address));
    await this.giveBackFailure(attempt);
    await this.passwordFailed(attempt);
  }

  /** A token login from `address`: 0 to go ahead (counted as a failure until tokenSucceeded), else the ms to wait. */
  beginToken(address: string): Promise<number> {
    return this.store.take(`token-address:${addressKey(address)}`, this.rate(this.limits.tokenLoginFailuresPerAddress));
  }

  /** A code or token checked with beginToken turned out good, with no account to remember the address for (POST /session/cookie). */
  tokenGuessGivenBack(address: string): Promise<void> {
    return this.store.give(`token-address:${addressKey(address)}`, this.rate(this.limits.tokenLoginFailuresPerAddress));
  }

  async tokenSucceeded(username: string, address: string): Promise<void> {
    const at = addressKey(address);
    await this.store.give(`token-address:${at}`, this.rate(this.limits.tokenLoginFailuresPerAddress));
    await this.rememberAddress(username, at);
  }

  /**
   * A sign-up attempt from `address` (taken names count too: they tell which
   * names exist), against the address's budget and then everyone's: 0 to go
   * ahead, else the ms to wait and whose budget is spent.
   */
  async beginSignup(address: string): Promise<{ waitMs: number; spent: 'address' | 'total' | null }> {
    const key = `signup-address:${addressKey(address)}`;
    const own = await this.store.take(key, this.signupRate(this.limits.accountCreationsPerAddress));
    if (own > 0) return { waitMs: own, spent: 'address' };
    const all = await this.store.take('signup-total', this.signupRate(this.limits.accountCreationsTotal));
    if (all === 0) return { waitMs: 0, spent: null };
    await this.store.give(key, this.signupRate(this.limits.accountCreationsPerAddress));
    return { waitMs: all, spent: 'total' };
  }

  /** A sign-up that was never tried (no room to hash it). */
  async signupNotTried(address: string): Promise<void> {
    await this.store.give(`signup-address:${addressKey(address)}`, this.signupRate(this.limits.accountCreationsPerAddress));
    await this.store.give('signup-total', this.signupRate(this.limits.accountCreationsTotal));
  }

  clear(): void {
    this.store.clear();
  }

  private async giveBackFailure(attempt: LoginAttempt): Promise<void> {
    await this.store.give(addressBudget(attempt.address), this.rate(this.limits.loginFailuresPerAddress));
    if (attempt.countedForUsername) await this.store.give(usernameBudget(attempt.username), this.rate(this.limits.loginFailuresPerUsername));
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

  private signupRate(limit: number): Rate {
    return { limit, windowMs: this.limits.accountCreationWindowMs };
  }
}

function pairKey(username: string, at: string): string {
  return `login-pair:${username}\n${at}`;
}

function addressBudget(at: string): string {
  return `login-address:${at}`;
}

function usernameBudget(username: string): string {
  return `login-username:${username}`;
}

function successBudget(username: string): string {
  return `login-success:${username}`;
}

function knownKey(username: string, at: string): string {
  return `login-known:${username}\n${at}`;
}

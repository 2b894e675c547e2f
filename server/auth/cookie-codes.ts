import { createHash, randomBytes } from 'node:crypto';

export interface CookieCodeLimits {
  /** How long a code is good for (cookieCodeTtlMs). */
  ttlMs: number;
  /** Codes one user may hold at once; a new one beyond drops their oldest. */
  perUser: number;
  /** Codes held at once over all users; a new one beyond drops the oldest of all. */
  total: number;
}

interface Held {
  token: string;
  userId: string;
  expiresAt: number;
}

/**
 * One-time codes that turn into the session cookie (docs/PROTOCOL.md
 * section 13). A trusted login with `bindCookie` gets a code instead of its
 * token; the page POSTs the code to /session/cookie, which answers the
 * token in an HttpOnly cookie. A code is 32 random bytes (base64url), good
 * once and for `ttlMs`; it is kept by its SHA-256, beside the token it
 * stands for, in memory only and bounded per user and in total, so a run
 * of logins cannot grow it. (The token has to be held itself until the
 * code is used: the database keeps only its hash. A cluster puts this
 * behind a shared store with the same interface.)
 */
export class CookieCodes {
  /** By code hash, oldest first (a Map keeps insertion order). */
  private readonly held = new Map<string, Held>();
  private readonly byUser = new Map<string, string[]>();

  constructor(
    private readonly limits: CookieCodeLimits,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.held.size;
  }

  /** A new code for this session token; returns the code (only its hash is kept). */
  issue(userId: string, token: string): string {
    this.sweep();
    for (let mine = this.byUser.get(userId) ?? []; mine.length >= this.limits.perUser; mine = this.byUser.get(userId) ?? []) this.drop(mine[0]!);
    while (this.held.size >= this.limits.total) this.drop(this.held.keys().next().value!);
    const code = randomBytes(32).toString('base64url');
    const key = hashCode(code);
    this.held.set(key, { token, userId, expiresAt: this.now() + this.limits.ttlMs });
    this.byUser.set(userId, [...(this.byUser.get(userId) ?? []), key]);
    return code;
  }

  /** The token a code stands for, once: the code is gone after this call, used or expired. */
  redeem(code: string): { token: string; userId: string } | null {
    const key = hashCode(code);
    const held = this.held.get(key);
    if (!held) return null;
    this.drop(key);
    return this.now() < held.expiresAt ? { token: held.token, userId: held.userId } : null;
  }

  /** Forgets every code of a user (their sessions were revoked). */
  forgetUser(userId: string): void {
    for (const key of [...(this.byUser.get(userId) ?? [])]) this.drop(key);
  }

  clear(): void {
    this.held.clear();
    this.byUser.clear();
  }

  /** Drops expired codes from the oldest end: they were issued in order, with one lifetime. */
  private sweep(): void {
    const now = this.now();
    for (const [key, held] of this.held) {
      if (now < held.expiresAt) break;
      this.drop(key);
    }
  }

  private drop(key: string): void {
    const held = this.held.get(key);
    if (!held) return;
    this.held.delete(key);
    const rest = (this.byUser.get(held.userId) ?? []).filter((k) => k !== key);
    if (rest.length) this.byUser.set(held.userId, rest);
    else this.byUser.delete(held.userId);
  }
}

function hashCode(code: string): string {
  return createHash('sha256').update(code).digest('hex');
}

/**
 * The counters behind the login, token and sign-up throttles. Every method
 * is one atomic step on one key (check and count together), so a burst of
 * parallel attempts cannot all pass a check before any is counted; they are
 * asynchronous so that a cluster can keep them in a shared store (Redis,
 * one script per method) behind the same interface.
 */
export interface ThrottleStore {
  /**
   * Takes one from the budget of `key` (`rate.limit` per `rate.windowMs`,
   * spent at once or spread out; it refills one every windowMs / limit).
   * Resolves 0 when taken, else the ms until one is available (nothing taken).
   */
  take(key: string, rate: Rate): Promise<number>;
  /** The ms until the budget of `key` has one to take (0: it has), taking nothing. */
  waitOf(key: string, rate: Rate): Promise<number>;
  /** Gives one back to the budget of `key` (an attempt that is not to count). */
  give(key: string, rate: Rate): Promise<void>;
  /**
   * Counts a strike on `key` unless it must wait: resolves 0 when counted,
   * else the ms still to wait (nothing counted). See Backoff.
   */
  strike(key: string, backoff: Backoff): Promise<number>;
  /** Takes back one strike (an attempt refused by a later check). */
  unstrike(key: string): Promise<void>;
  /** Forgets every strike of `key` (a successful login). */
  forgive(key: string): Promise<void>;
  /** Marks `key` for `ttlMs` (an address a user logged in from). */
  remember(key: string, ttlMs: number): Promise<void>;
  remembers(key: string): Promise<boolean>;
  /** Mock mode's reset. */
  clear(): void;
}

export interface Rate {
  limit: number;
  windowMs: number;
}

/**
 * Growing waits: the first `free` strikes cost nothing; after strike k >=
 * free the next must wait baseMs * 2^(k - free), at most maxMs. A key is
 * forgotten `forgetMs` after its last wait ended.
 */
export interface Backoff {
  free: number;
  baseMs: number;
  maxMs: number;
  forgetMs: number;
}

export function backoffWaitMs(strikes: number, b: Backoff): number {
  if (strikes < b.free) return 0;
  return Math.min(b.maxMs, b.baseMs * 2 ** Math.min(strikes - b.free, 40));
}

type Entry =
  | { kind: 'rate'; tat: number; expiresAt: number }
  | { kind: 'strikes'; strikes: number; lastAt: number; expiresAt: number }
  | { kind: 'mark'; expiresAt: number };

/**
 * The in-memory ThrottleStore of a single process. Budgets are kept as GCRA
 * (one time per key: when the budget will be full again), strikes as a count
 * and the time of the last; at most `maxEntries` keys, the expired dropped
 * first and then the ones written longest ago, so a spray of fresh keys
 * cannot grow memory without bound.
 */
export class MemoryThrottleStore implements ThrottleStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  async take(key: string, rate: Rate): Promise<number> {
    const now = this.now();
    const step = rate.windowMs / rate.limit;
    const entry = this.live(key, 'rate', now);
    const tat = Math.max(entry?.tat ?? now, now);
    // Full budget: tat == now; each take moves tat one step on; refuse once tat would pass now + window.
    const wait = tat + step - now - rate.windowMs;
    if (wait > 0) return Math.ceil(wait);
    this.put(key, { kind: 'rate', tat: tat + step, expiresAt: tat + step });
    return 0;
  }

  async waitOf(key: string, rate: Rate): Promise<number> {
    const now = this.now();
    const tat = Math.max(this.live(key, 'rate', now)?.tat ?? now, now);
    return Math.max(0, Math.ceil(tat + rate.windowMs / rate.limit - now - rate.windowMs));
  }

  async give(key: string, rate: Rate): Promise<void> {
    const now = this.now();
    const entry = this.live(key, 'rate', now);
    if (!entry) return;
    const tat = entry.tat - rate.windowMs / rate.limit;
    if (tat <= now) this.entries.delete(key);
    else this.put(key, { kind: 'rate', tat, expiresAt: tat });
  }

  async strike(key: string, backoff: Backoff): Promise<number> {
    const now = this.now();
    const entry = this.live(key, 'strikes', now);
    const strikes = entry?.strikes ?? 0;
    if (entry) {
      const wait = entry.lastAt + backoffWaitMs(strikes, backoff) - now;
      if (wait > 0) return Math.ceil(wait);
    }
    const next = strikes + 1;
    this.put(key, { kind: 'strikes', strikes: next, lastAt: now, expiresAt: now + backoffWaitMs(next, backoff) + backoff.forgetMs });
    return 0;
  }

  async unstrike(key: string): Promise<void> {
    const entry = this.live(key, 'strikes', this.now());
    if (!entry) return;
    if (entry.strikes <= 1) this.entries.delete(key);
    else entry.strikes -= 1;
  }

  async forgive(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async remember(key: string, ttlMs: number): Promise<void> {
    this.put(key, { kind: 'mark', expiresAt: this.now() + ttlMs });
  }

  async remembers(key: string): Promise<boolean> {
    return this.live(key, 'mark', this.now()) !== undefined;
  }

  clear(): void {
    this.entries.clear();
  }

  private live<K extends Entry['kind']>(key: string, kind: K, now: number): Extract<Entry, { kind: K }> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now || entry.kind !== kind) {
      this.entries.delete(key);
      return undefined;
    }
    return entry as Extract<Entry, { kind: K }>;
  }

  /** Writes `key` last in the map's order (the map's order is then least recently written first). */
  private put(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) this.shrink();
  }

  /** Drops expired keys; if that is not a tenth of the cap, the least recently written too (amortised: one pass per tenth). */
  private shrink(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
    const target = Math.floor(this.maxEntries * 0.9);
    for (const key of this.entries.keys()) {
      if (this.entries.size <= target) break;
      this.entries.delete(key);
    }
  }
}

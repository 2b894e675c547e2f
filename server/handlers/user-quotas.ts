import { ProtocolError } from '../../src/protocol/index';

/**
 * How many times each key did something in the current window. Behind this
 * interface so that a cluster can keep the counts in Redis (INCR with an
 * expiry) and every process shares them; MemoryWindowCounter serves one
 * process.
 */
export interface WindowCounter {
  /** Counts one more for `key` and returns the count in its window so far, this one included. */
  hit(key: string): number;
}

/**
 * Fixed windows in memory: a key's window starts at its first hit and its
 * count starts again once the window has passed. Keys whose window has
 * passed are swept as the map grows, so it holds only the recently active.
 */
export class MemoryWindowCounter implements WindowCounter {
  private readonly counts = new Map<string, { start: number; n: number }>();
  private sweepAt = 1024;

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  hit(key: string): number {
    const now = this.now();
    let entry = this.counts.get(key);
    if (!entry || now - entry.start >= this.windowMs) {
      entry = { start: now, n: 0 };
      this.counts.set(key, entry);
      if (this.counts.size > this.sweepAt) this.sweep(now);
    }
    return ++entry.n;
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.counts) if (now - entry.start >= this.windowMs) this.counts.delete(key);
    this.sweepAt = Math.max(1024, this.counts.size * 2);
  }
}

export interface UserQuotaLimits {
  sendsPerUserPerMinute: number;
  contactsPerUserPerHour: number;
  blocksPerUserPerHour: number;
  profileChangesPerUserPerHour: number;
  searchesPerUserPerMinute: number;
}

/**
 * Limits per user across all their sockets. The per-socket rate limit alone
 * lets one account send, and store, as many times more as it opens sockets;
 * these count the user, whichever socket the command came on. A refused
 * command counts too, so a user who keeps flooding stays refused until the
 * window ends.
 */
export class UserQuotas {
  private readonly sends: WindowCounter;
  private readonly contacts: WindowCounter;
  private readonly blocks: WindowCounter;
  private readonly profiles: WindowCounter;
  private readonly searches: WindowCounter;

  constructor(
    private readonly limits: UserQuotaLimits,
    now: () => number = Date.now,
    counters?: { sends?: WindowCounter; contacts?: WindowCounter; blocks?: WindowCounter; profiles?: WindowCounter; searches?: WindowCounter },
  ) {
    this.sends = counters?.sends ?? new MemoryWindowCounter(60_000, now);
    this.contacts = counters?.contacts ?? new MemoryWindowCounter(60 * 60_000, now);
    this.blocks = counters?.blocks ?? new MemoryWindowCounter(60 * 60_000, now);
    this.profiles = counters?.profiles ?? new MemoryWindowCounter(60 * 60_000, now);
    this.searches = counters?.searches ?? new MemoryWindowCounter(60_000, now);
  }

  /** Throws RATE_LIMITED past searchesPerUserPerMinute: a search runs on the main thread's connection, so its cost is bounded per user too. */
  requireSearch(userId: string): void {
    const limit = this.limits.searchesPerUserPerMinute;
    if (this.searches.hit(userId) > limit) {
      throw new ProtocolError('RATE_LIMITED', `you ran ${limit} searches in the last minute from all your sockets, the most allowed; retry shortly`);
    }
  }

  /** Throws RATE_LIMITED past sendsPerUserPerMinute: every writing command (an entry of any kind) counts as a send. */
  requireSend(userId: string): void {
    const limit = this.limits.sendsPerUserPerMinute;
    if (this.sends.hit(userId) > limit) {
      throw new ProtocolError('RATE_LIMITED', `you sent ${limit} messages and changes (edits, deletions, reactions, group changes) in the last minute from all your sockets, the most allowed; retry shortly`);
    }
  }

  /** Throws RATE_LIMITED past contactsPerUserPerHour. */
  requireContact(userId: string): void {
    const limit = this.limits.contactsPerUserPerHour;
    if (this.contacts.hit(userId) > limit) {
      throw new ProtocolError('RATE_LIMITED', `you added ${limit} contacts in the last hour, the most allowed; try again later`);
    }
  }

  /** Throws RATE_LIMITED past blocksPerUserPerHour (blocking and unblocking both count). */
  requireBlock(userId: string): void {
    const limit = this.limits.blocksPerUserPerHour;
    if (this.blocks.hit(userId) > limit) {
      throw new ProtocolError('RATE_LIMITED', `you blocked or unblocked ${limit} times in the last hour, the most allowed; try again later`);
    }
  }

  /** Throws RATE_LIMITED past profileChangesPerUserPerHour: each change notifies everyone who lists the user. */
  requireProfileChange(userId: string): void {
    const limit = this.limits.profileChangesPerUserPerHour;
    if (this.profiles.hit(userId) > limit) {
      throw new ProtocolError('RATE_LIMITED', `you changed your profile ${limit} times in the last hour, the most allowed; try again later`);
    }
  }
}

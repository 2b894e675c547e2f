/**
 * Counts of open sockets by key (a client address, or the not-yet-logged-in
 * sockets of one). The gateway only talks to this interface, so a cluster can
 * count across processes (Redis INCR/DECR with an expiry) where one process
 * counts in memory. `tryAcquire` is atomic: it adds one only while the count
 * is under `max`, and says whether it did.
 */
export interface SocketCounts {
  tryAcquire(key: string, max: number): Promise<boolean>;
  /** Gives back one acquired slot. */
  release(key: string): void;
  count(key: string): number;
}

/** The in-memory counts of one process; keys at zero are forgotten, so the map holds only open sockets' keys. */
export class MemorySocketCounts implements SocketCounts {
  private readonly counts = new Map<string, number>();

  tryAcquire(key: string, max: number): Promise<boolean> {
    const n = this.counts.get(key) ?? 0;
    if (max > 0 && n >= max) return Promise.resolve(false);
    this.counts.set(key, n + 1);
    return Promise.resolve(true);
  }

  release(key: string): void {
    const n = this.counts.get(key) ?? 0;
    if (n <= 1) this.counts.delete(key);
    else this.counts.set(key, n - 1);
  }

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** How many keys are held (what this costs in memory). */
  get size(): number {
    return this.counts.size;
  }
}

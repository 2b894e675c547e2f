/**
 * Counts failed logins per username over a sliding window. After `allowed`
 * failures within `windowMs` the username is throttled until the oldest of
 * them leaves the window; while throttled, even the right password is
 * refused without being checked. Unknown usernames are counted the same
 * way, so throttling says nothing about which accounts exist.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly allowed: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  isThrottled(username: string): boolean {
    return this.recent(username).length >= this.allowed;
  }

  recordFailure(username: string): void {
    const list = this.recent(username);
    list.push(this.now());
    this.failures.set(username, list);
    // Bound memory under a spray of random usernames.
    if (this.failures.size > 100_000) this.prune();
  }

  recordSuccess(username: string): void {
    this.failures.delete(username);
  }

  clear(): void {
    this.failures.clear();
  }

  private recent(username: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.failures.get(username) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) this.failures.delete(username);
    return list;
  }

  private prune(): void {
    for (const username of [...this.failures.keys()]) this.recent(username);
  }
}

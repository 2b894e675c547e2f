/**
 * The per-socket rate limit: a token bucket refilled at `ratePerSecond` up to
 * `burst`. A flood is a run of refused frames; one that is still going
 * `floodCloseAfterMs` after its first refusal means the socket should be
 * closed. A refusal more than a second after the previous one starts a new
 * run, so a client that backs off on RATE_LIMITED is never closed.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private floodStartedAt: number | null = null;
  private lastRefusedAt = 0;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly floodCloseAfterMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.updatedAt = now();
  }

  /** 'ok' to process the frame, 'limited' to refuse it, 'close' when the flood has lasted too long. */
  take(): 'ok' | 'limited' | 'close' {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 'ok';
    }
    if (this.floodStartedAt === null || now - this.lastRefusedAt > 1000) this.floodStartedAt = now;
    this.lastRefusedAt = now;
    return now - this.floodStartedAt >= this.floodCloseAfterMs ? 'close' : 'limited';
  }
}

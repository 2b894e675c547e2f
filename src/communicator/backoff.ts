/**
 * The reconnect schedule of docs/PROTOCOL.md section 6: about 0.5 s doubling to
 * 30 s, with jitter so a server restart is not met by every client at once.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 };

/**
 * The delay before reconnect attempt number `attempt` (0 for the first
 * retry): the capped exponential step, jittered into [step/2, step].
 * `random` returns a number in [0, 1).
 */
export function backoffDelay(attempt: number, random: () => number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const step = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + (step / 2) * random());
}

import { backoffDelay } from '../communicator/backoff';
import type { SessionCookie } from '../communicator/session-cookie';
import { DEFAULT_LIMITS } from '../protocol';

/** What became of a login's cookie code: the browser holds the cookie, the code is spent or timed out, or another login or a logout came first. */
export type CookieBindingOutcome = 'bound' | 'failed' | 'cancelled';

export interface CookieBindingOptions {
  cookie: SessionCookie;
  /** How long a code is good for after the login answered it; the last attempt starts a few seconds before. */
  validForMs?: number;
  random?: () => number;
}

/** Attempts stop this long before the code's end, so the last one is not refused for arriving a moment late. */
const SAFETY_MARGIN_MS = 3000;

/**
 * Turns a login's one-time cookie code into the HttpOnly cookie. The code is
 * sent at once; when the server cannot be reached (the network cut between
 * the login and the POST, or the server was busy) the same code is sent
 * again, backing off from 0.5 s, while it is still valid. A refusal (code
 * unknown or used) or the code running out is final: the caller then asks
 * for the password again. One binding at a time: a new one, or `cancel()`,
 * ends the one before.
 */
export class CookieBinding {
  private run: { cancelled: boolean; timer: ReturnType<typeof setTimeout> | null; wake: (() => void) | null } | null = null;

  constructor(private readonly options: CookieBindingOptions) {}

  async bind(code: string): Promise<CookieBindingOutcome> {
    this.cancel();
    const run: NonNullable<CookieBinding['run']> = { cancelled: false, timer: null, wake: null };
    this.run = run;
    const validUntil = Date.now() + (this.options.validForMs ?? DEFAULT_LIMITS.cookieCodeTtlMs) - SAFETY_MARGIN_MS;
    try {
      for (let attempt = 0; ; attempt++) {
        const result = await this.options.cookie.bind(code);
        if (run.cancelled) return 'cancelled';
        if (result === 'bound') return 'bound';
        const wait = backoffDelay(attempt, this.options.random ?? Math.random, { baseMs: 500, maxMs: 8000 });
        if (result === 'refused' || Date.now() + wait >= validUntil) return 'failed';
        await new Promise<void>((resolve) => {
          run.wake = resolve;
          run.timer = setTimeout(resolve, wait);
        });
        if (run.cancelled) return 'cancelled';
      }
    } finally {
      if (this.run === run) this.run = null;
    }
  }

  /** Whether a code is being sent (or waits to be sent again). */
  isBinding(): boolean {
    return this.run !== null;
  }

  /** Stops the binding under way (logout, another login): its promise resolves 'cancelled'. */
  cancel(): void {
    const run = this.run;
    if (!run) return;
    run.cancelled = true;
    if (run.timer) clearTimeout(run.timer);
    run.wake?.();
    this.run = null;
  }
}

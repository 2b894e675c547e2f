/** What counts as the person being there. */
export const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart', 'input'] as const;

export interface IdleTimerOptions {
  timeoutMs: number;
  onIdle: () => void;
  target?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
  doc?: Pick<Document, 'addEventListener' | 'removeEventListener' | 'visibilityState'>;
  now?: () => number;
  /** How often the deadline is checked; the clock, not the timer, decides. */
  checkEveryMs?: number;
}

/**
 * Ends a public-computer session after `timeoutMs` without the person
 * touching the page. Background tabs have their timers throttled, so it
 * compares wall-clock times on every check and when the tab becomes visible
 * again, rather than trusting one long timeout.
 */
export class IdleTimer {
  private lastActivity = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly now: () => number;
  private readonly onActivity = (): void => {
    this.lastActivity = this.now();
  };
  private readonly onVisibility = (): void => this.check();

  constructor(private readonly options: IdleTimerOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.timer !== null) return;
    this.lastActivity = this.now();
    const target = this.options.target ?? window;
    for (const name of ACTIVITY_EVENTS) target.addEventListener(name, this.onActivity, { capture: true, passive: true });
    (this.options.doc ?? document).addEventListener('visibilitychange', this.onVisibility);
    const every = this.options.checkEveryMs ?? Math.min(15_000, this.options.timeoutMs);
    this.timer = setInterval(() => this.check(), every);
  }

  stop(): void {
    if (this.timer === null) return;
    clearInterval(this.timer);
    this.timer = null;
    const target = this.options.target ?? window;
    for (const name of ACTIVITY_EVENTS) target.removeEventListener(name, this.onActivity, { capture: true });
    (this.options.doc ?? document).removeEventListener('visibilitychange', this.onVisibility);
  }

  isRunning(): boolean {
    return this.timer !== null;
  }

  /** Milliseconds left before the session ends. */
  remainingMs(): number {
    return Math.max(0, this.lastActivity + this.options.timeoutMs - this.now());
  }

  private check(): void {
    if (this.timer === null || this.remainingMs() > 0) return;
    this.stop();
    this.options.onIdle();
  }
}

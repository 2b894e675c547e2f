export interface LivenessProbeOptions {
  /** Sends one ping on the socket; false when it cannot be sent. */
  ping(): boolean;
  /** Whether a request is still waiting for its answer. */
  awaiting(): boolean;
  /** Nothing came back within the probe deadline: the socket is dead. */
  dead(reason: string): void;
  /** A request unanswered this long, with nothing at all heard meanwhile, starts a probe. */
  unansweredMs: number;
  /** A probe declares the socket dead when nothing at all arrives within this long. */
  probeTimeoutMs: number;
}

/**
 * Notices a dead socket in seconds instead of the heartbeat's two missed
 * intervals. A pulled cable leaves the WebSocket open in the browser with
 * nothing coming through (TCP has nobody to tell it otherwise), so the
 * heartbeat alone needs about a minute. The probe is a ping with a short
 * deadline, started when the browser says it went offline or when a request
 * meets silence; any frame that arrives in time, not only the pong, proves
 * the socket alive, so a slow but talking link is never cut, and a socket
 * to a server the browser can still reach (loopback) survives an `offline`
 * event.
 */
export class LivenessProbe {
  private readonly options: LivenessProbeOptions;
  private watchTimer: ReturnType<typeof setTimeout> | null = null;
  private probeTimer: ReturnType<typeof setTimeout> | null = null;
  /** When the current watch started; a frame heard since then means the socket talks. */
  private watchSince = 0;
  private lastHeardAt = 0;

  constructor(options: LivenessProbeOptions) {
    this.options = options;
  }

  /** A frame arrived: the socket is alive. */
  heard(): void {
    this.lastHeardAt = Date.now();
    if (this.probeTimer === null) return;
    clearTimeout(this.probeTimer);
    this.probeTimer = null;
    if (this.options.awaiting()) this.watch();
  }

  /** A request went out: if it meets silence, probe. */
  requested(): void {
    if (this.watchTimer === null && this.probeTimer === null) this.watch();
  }

  /** Checks the socket now (the browser went offline). */
  probe(): void {
    if (this.probeTimer !== null) return;
    this.clearWatch();
    if (!this.options.ping()) return;
    const { probeTimeoutMs } = this.options;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      this.options.dead(`nothing heard within ${probeTimeoutMs} ms of a ping`);
    }, probeTimeoutMs);
  }

  /** The socket is gone or new: forget everything. */
  reset(): void {
    this.clearWatch();
    if (this.probeTimer !== null) clearTimeout(this.probeTimer);
    this.probeTimer = null;
  }

  private watch(): void {
    this.clearWatch();
    this.watchSince = Date.now();
    this.watchTimer = setTimeout(() => {
      this.watchTimer = null;
      if (!this.options.awaiting()) return;
      // Frames came meanwhile: the answer is slow, the socket is not dead. Keep watching.
      if (this.lastHeardAt >= this.watchSince) this.watch();
      else this.probe();
    }, this.options.unansweredMs);
  }

  private clearWatch(): void {
    if (this.watchTimer !== null) clearTimeout(this.watchTimer);
    this.watchTimer = null;
  }
}

/** Longer round trips count as this long: past it the heartbeat finds a dead socket as soon, and a bogus pong time cannot switch the probe off. */
const LONGEST_ROUND_TRIP_MS = 60_000;

export interface LivenessProbeOptions {
  /** Sends one ping on the socket; false when it cannot be sent. */
  ping(): boolean;
  /** Whether a request is still waiting for its answer. */
  awaiting(): boolean;
  /** Nothing came back within the probe deadline: the socket is dead. */
  dead(reason: string): void;
  /** A request unanswered this long, with nothing at all heard meanwhile, starts a probe (at least). */
  unansweredMs: number;
  /** A probe declares the socket dead when nothing at all arrives within this long (at least). */
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
 * event. Both waits stretch to the link's measured round trip (TCP's
 * retransmission timeout, RFC 6298: smoothed round trip plus four times its
 * variation), so a link known to be slow is not cut for being slow.
 */
export class LivenessProbe {
  private readonly options: LivenessProbeOptions;
  private watchTimer: ReturnType<typeof setTimeout> | null = null;
  private probeTimer: ReturnType<typeof setTimeout> | null = null;
  /** When the current watch started; a frame heard since then means the socket talks. */
  private watchSince = 0;
  private lastHeardAt = 0;
  /** Smoothed round trip and its variation; null before the first measurement. Kept across sockets: they share the link. */
  private smoothedMs: number | null = null;
  private variationMs = 0;

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

  /** A measured round trip: the socket's handshake, a pong, a request's answer. */
  roundTrip(measuredMs: number): void {
    if (!Number.isFinite(measuredMs) || measuredMs < 0) return;
    const ms = Math.min(measuredMs, LONGEST_ROUND_TRIP_MS);
    if (this.smoothedMs === null) {
      this.smoothedMs = ms;
      this.variationMs = ms / 2;
      return;
    }
    this.variationMs = 0.75 * this.variationMs + 0.25 * Math.abs(this.smoothedMs - ms);
    this.smoothedMs = 0.875 * this.smoothedMs + 0.125 * ms;
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
    const deadline = this.stretched(this.options.probeTimeoutMs);
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      this.options.dead(`nothing heard within ${deadline} ms of a ping`);
    }, deadline);
  }

  /** The socket is gone or new: no watch, no probe. The round-trip estimate stays: the next socket crosses the same link. */
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
    }, this.stretched(this.options.unansweredMs));
  }

  /** The wait, or what this link's round trips need if that is longer. */
  private stretched(floorMs: number): number {
    if (this.smoothedMs === null) return floorMs;
    return Math.max(floorMs, Math.ceil(this.smoothedMs + 4 * this.variationMs));
  }

  private clearWatch(): void {
    if (this.watchTimer !== null) clearTimeout(this.watchTimer);
    this.watchTimer = null;
  }
}

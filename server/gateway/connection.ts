import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { CLOSE_CODES, encodeFrame, type ErrorCode, type ServerMessageName, type User } from '../../src/protocol/index';
import type { LiveSession } from '../auth/session-registry';
import type { Peer } from '../hub/peer';
import { TokenBucket } from './token-bucket';

export interface ConnectionLimits {
  commandsPerSecond: number;
  commandBurst: number;
  floodCloseAfterMs: number;
  /** Unsent bytes past which the next write closes the socket with 1008 instead. */
  maxBufferedBytes: number;
}

/**
 * One socket's state: registration, the logged-in session, subscriptions,
 * rate limit and liveness. Every frame the server sends goes through
 * `sendText`, the one place that keeps a closed socket from being written
 * to and a socket that does not read from being buffered for without bound.
 */
export class Connection implements Peer {
  readonly subscriptions = new Set<string>();
  registered = false;
  clientId: string | null = null;
  session: LiveSession | null = null;
  user: User | null = null;
  lastActivityAt: number;
  /** Set while a command that changes the session (login, logout) runs; later frames wait for it. */
  exclusive: Promise<void> | null = null;
  readonly bucket: TokenBucket;
  /** Since when the socket has been without a session (open, or logged out); null while logged in. For the login deadline. */
  unauthenticatedSince: number | null;
  /** Bytes of received frames not yet dispatched (waiting behind a session command or a heavy read). */
  queuedBytes = 0;
  /** The tail of the socket's heavy commands (gateway.ts HEAVY_COMMANDS), which run one at a time. */
  heavy: Promise<void> = Promise.resolve();
  /** Registrations, account creations and logins received and not yet answered. */
  signingIn = 0;
  /** The login deadline passed while signing in: unless that logs the socket in, it is closed after the answer. */
  loginOverdue = false;
  /** Set when the write cap closed the socket (for the log and the metric). */
  tooSlow = false;
  /** What the client called itself at registration (`clientMedium`), for the session's description. */
  clientMedium: string | null = null;
  /** The upgrade's User-Agent (at most MAX_USER_AGENT characters), for the session's description. */
  userAgent: string | undefined = undefined;
  /**
   * The session token of the upgrade's `tidings_session` cookie, kept only
   * when the upgrade also carried an allowed Origin: what `{useCookie: true}`
   * logs in with. Never sent back in any frame.
   */
  cookieToken: string | null = null;
  private readonly maxBufferedBytes: number;
  private terminateTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly id: number,
    readonly ws: WebSocket,
    limits: ConnectionLimits,
    now: () => number,
    /** The upgraded TCP socket under `ws` (the one handed to handleUpgrade), for cork/uncork; absent in tests. */
    private readonly raw: Duplex | null = null,
    /** The client's address: what per-address limits count (the socket's peer, or the proxy's word for it). */
    readonly address: string = 'unknown',
  ) {
    this.lastActivityAt = now();
    this.unauthenticatedSince = this.lastActivityAt;
    this.maxBufferedBytes = limits.maxBufferedBytes;
    this.bucket = new TokenBucket(limits.commandsPerSecond, limits.commandBurst, limits.floodCloseAfterMs, now);
  }

  get userId(): string | null {
    return this.user?.id ?? null;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** True once more than the cap is waiting to be sent: the socket gets no new work (it is closed at its next write). */
  get overWriteCap(): boolean {
    return this.maxBufferedBytes > 0 && this.ws.bufferedAmount > this.maxBufferedBytes;
  }

  /**
   * Writes one frame, unless the socket is closed, or already holds more
   * than the cap unsent: then it is closed with 1008 and the frame dropped.
   * At most the cap plus one frame is ever buffered; the client reconnects
   * and resyncs from the versions and seqs it holds, which costs less than
   * buffering for a reader that may never come back.
   */
  sendText(text: string): void {
    if (!this.isOpen) return;
    if (this.overWriteCap) {
      this.closeTooSlow();
      return;
    }
    this.ws.send(text);
  }

  closeTooSlow(): void {
    this.tooSlow = true;
    this.close(CLOSE_CODES.POLICY_VIOLATION, 'too slow: reconnect and resync');
  }

  /** Holds writes (Node's Writable.cork) until uncork: the frames then leave in one writev. */
  cork(): void {
    if (this.raw && !this.raw.destroyed) this.raw.cork();
  }

  uncork(): void {
    if (this.raw && this.raw.writableCorked > 0) this.raw.uncork();
  }

  send(name: ServerMessageName, payload: object): void {
    this.sendText(encodeFrame(name, payload));
  }

  sendError(code: ErrorCode, message: string, command?: string, requestId?: string): void {
    const payload: { code: ErrorCode; message: string; command?: string; requestId?: string } = { code, message };
    if (command !== undefined) payload.command = command;
    if (requestId !== undefined) payload.requestId = requestId;
    this.send('ErrorResponse', payload);
  }

  /** Closes with a code; a peer that does not answer the close handshake is cut off after a second. */
  close(code: number, reason: string): void {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close(code, reason);
    if (!this.terminateTimer) {
      this.terminateTimer = setTimeout(() => this.ws.terminate(), 1000);
      this.terminateTimer.unref();
    }
  }
}

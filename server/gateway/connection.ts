import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { encodeFrame, type ErrorCode, type ServerMessageName, type User } from '../../src/protocol/index';
import type { LiveSession } from '../auth/session-registry';
import type { Peer } from '../hub/peer';
import { TokenBucket } from './token-bucket';

/**
 * One socket's state: registration, the logged-in session, subscriptions,
 * rate limit and liveness. Sending goes through here so a closed socket is
 * never written to.
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
  private terminateTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly id: number,
    readonly ws: WebSocket,
    limits: { commandsPerSecond: number; commandBurst: number; floodCloseAfterMs: number },
    now: () => number,
    /** The upgraded TCP socket under `ws` (the one handed to handleUpgrade), for cork/uncork; absent in tests. */
    private readonly raw: Duplex | null = null,
    /** The client's address: what per-address limits count (the socket's peer, or the proxy's word for it). */
    readonly address: string = 'unknown',
  ) {
    this.lastActivityAt = now();
    this.bucket = new TokenBucket(limits.commandsPerSecond, limits.commandBurst, limits.floodCloseAfterMs, now);
  }

  get userId(): string | null {
    return this.user?.id ?? null;
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  sendText(text: string): void {
    if (this.isOpen) this.ws.send(text);
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

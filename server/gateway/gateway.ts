import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { CLOSE_CODES, ProtocolError, decodeFrame, peekRequestId, type DecodedFrame } from '../../src/protocol/index';
import { SESSION_COMMANDS, dispatch } from '../handlers/index';
import type { Services } from '../handlers/context';
import { detachSession, revokeSession } from '../handlers/session-state';
import { Connection } from './connection';

/**
 * The socket side of the server: accepts upgrades on /ws (Origin checked),
 * turns frames into dispatched commands under the per-socket limits, drops
 * silent sockets, and expires sessions of connected sockets.
 */
export class Gateway {
  readonly connections = new Set<Connection>();
  private readonly wss: WebSocketServer;
  private nextId = 1;
  private pausedUntil = 0;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly s: Services,
    private readonly isAllowedOrigin: (origin: string) => boolean,
  ) {
    const { limits } = s.config;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes, perMessageDeflate: false, clientTracking: false });
    const beat = Math.max(20, Math.min(limits.heartbeatIntervalMs / 2, 5000));
    this.timers.push(setInterval(() => this.dropSilent(), beat));
    this.timers.push(setInterval(() => this.expireSessions(), s.config.sessionSweepIntervalMs));
    for (const t of this.timers) t.unref();
  }

  /** Mock mode: ignore frames and refuse upgrades until `ms` from now. */
  pause(ms: number): void {
    this.pausedUntil = this.s.now() + ms;
  }

  get paused(): boolean {
    return this.s.now() < this.pausedUntil;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0];
    const origin = req.headers.origin;
    if (path !== '/ws') return refuse(socket, 404, 'Not Found');
    if (origin !== undefined && !this.isAllowedOrigin(origin)) return refuse(socket, 403, 'Forbidden');
    if (this.paused) return refuse(socket, 503, 'Service Unavailable');
    const address = req.socket.remoteAddress ?? 'unknown';
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, socket, address));
  }

  /** Closes every socket with a code (shutdown: 1001). */
  closeAll(code: number, reason: string): void {
    for (const conn of this.connections) conn.close(code, reason);
  }

  /** Stops timers and closes every socket with 1001, waiting (briefly) for them to go. */
  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    const closing = [...this.connections].map(
      (conn) => new Promise<void>((resolve) => (conn.ws.readyState === 3 ? resolve() : conn.ws.once('close', () => resolve()))),
    );
    this.closeAll(CLOSE_CODES.GOING_AWAY, 'server shutting down');
    await Promise.race([Promise.all(closing), new Promise((r) => setTimeout(r, 1500).unref())]);
    for (const conn of this.connections) conn.ws.terminate();
  }

  private accept(ws: WebSocket, socket: Duplex, address: string): void {
    // `socket` is the stream ws writes to: corking it batches ws's frames (Hub.batch).
    const conn = new Connection(this.nextId++, ws, this.s.config.limits, this.s.now, socket, address);
    this.connections.add(conn);
    this.s.metrics.connections.inc();
    ws.on('message', (data, isBinary) => socketOnMessage(this, conn, data, isBinary));
    ws.on('pong', () => (conn.lastActivityAt = this.s.now()));
    ws.on('close', () => socketOnClose(this, conn));
    ws.on('error', (err) => this.s.logger.debug({ err, conn: conn.id }, 'socket error'));
  }

  /** @internal used by the socket listeners below. */
  onFrame(conn: Connection, data: RawData, isBinary: boolean): void {
    conn.lastActivityAt = this.s.now();
    if (this.paused) return;
    const verdict = conn.bucket.take();
    if (verdict === 'close') {
      conn.close(CLOSE_CODES.POLICY_VIOLATION, 'rate limit exceeded for too long');
      return;
    }
    if (isBinary) {
      conn.sendError('BAD_FRAME', 'binary frames are not accepted; send JSON text frames');
      return;
    }
    let frame: DecodedFrame;
    try {
      frame = decodeFrame(rawToString(data));
    } catch (error) {
      const e = error instanceof ProtocolError ? error : new ProtocolError('BAD_FRAME', 'frame could not be read');
      this.s.metrics.errors.inc({ command: 'unknown', code: e.code });
      conn.sendError(e.code, e.message, e.command);
      return;
    }
    if (verdict === 'limited') {
      this.s.metrics.errors.inc({ command: 'unknown', code: 'RATE_LIMITED' });
      conn.sendError('RATE_LIMITED', 'too many commands; slow down and retry', frame.name, peekRequestId(frame.payload));
      return;
    }
    const run = (): Promise<void> => dispatch(conn, frame, this.s);
    if (SESSION_COMMANDS.has(frame.name)) {
      const done: Promise<void> = (conn.exclusive ?? Promise.resolve()).then(run).finally(() => {
        if (conn.exclusive === done) conn.exclusive = null;
      });
      conn.exclusive = done;
    } else if (conn.exclusive) {
      void conn.exclusive.then(run);
    } else {
      void run();
    }
  }

  /** @internal */
  onClose(conn: Connection): void {
    if (!this.connections.delete(conn)) return;
    this.s.metrics.connections.dec();
    try {
      if (conn.session) detachSession(conn, this.s);
      else this.s.hub.dropAll(conn);
    } catch (err) {
      // A write on the way out (last use of the session) can fail when the
      // disk is full; thrown from a close handler it would end the process.
      this.s.hub.dropAll(conn);
      this.s.logger.error({ err, conn: conn.id }, 'cleaning up a closed socket failed');
    }
  }

  private dropSilent(): void {
    const cutoff = this.s.now() - 2 * this.s.config.limits.heartbeatIntervalMs;
    for (const conn of this.connections) {
      if (conn.lastActivityAt < cutoff) conn.close(CLOSE_CODES.POLICY_VIOLATION, 'no heartbeat');
    }
  }

  private expireSessions(): void {
    for (const session of this.s.sessions.expired()) revokeSession(session, this.s);
  }
}

function socketOnMessage(gateway: Gateway, conn: Connection, data: RawData, isBinary: boolean): void {
  gateway.onFrame(conn, data, isBinary);
}

function socketOnClose(gateway: Gateway, conn: Connection): void {
  gateway.onClose(conn);
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`, () => socket.destroy());
}

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { CLOSE_CODES, ProtocolError, decodeFrame, peekRequestId, type DecodedFrame } from '../../src/protocol/index';
import { sessionTokenFromCookie } from '../auth/session-cookie';
import { MAX_USER_AGENT } from '../auth/user-agent';
import { SESSION_COMMANDS, dispatch } from '../handlers/index';
import type { Services } from '../handlers/context';
import { detachSession, revokeSession } from '../handlers/session-state';
import { Admission, isRefusal, type Admitted, type Refusal } from './admission';
import { clientAddress } from './client-address';
import { Connection } from './connection';
import { MemorySocketCounts, type SocketCounts } from './socket-counts';

/** The commands of signing in: while one runs, the login deadline waits for its answer. */
const SIGN_IN_COMMANDS: ReadonlySet<string> = new Set(['ClientRegistrationCommand', 'AccountCreateCommand', 'AccountLoginCommand']);

/**
 * Commands whose answer can run to megabytes (a history page is up to
 * 500 messages of 4,000 characters). A socket runs them one at a time, each
 * only once the answer before it is written and only while the socket is
 * under its write cap: a client that pipelines them and never reads makes
 * the server hold one page, not one per frame.
 */
const HEAVY_COMMANDS: ReadonlySet<string> = new Set(['GetMessagesCommand', 'GetConversationsCommand', 'GetContactsCommand']);

/**
 * The socket side of the server: admits upgrades on /ws (Origin checked,
 * per-process and per-address caps), turns frames into dispatched commands
 * under the per-socket limits, closes sockets that stay silent, do not log
 * in, or do not read, and expires sessions of connected sockets.
 */
export class Gateway {
  readonly connections = new Set<Connection>();
  private readonly wss: WebSocketServer;
  private readonly admission: Admission;
  private readonly admitted = new WeakMap<Connection, Admitted>();
  private upgrading = 0;
  /** Sockets not yet logged in, oldest first: the ones a full process closes to make room. */
  private readonly waiting = new Set<Connection>();
  private closing = false;
  private nextId = 1;
  private pausedUntil = 0;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly s: Services,
    private readonly isAllowedOrigin: (origin: string) => boolean,
    counts: SocketCounts = new MemorySocketCounts(),
  ) {
    const { limits } = s.config;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes, perMessageDeflate: false, clientTracking: false });
    this.admission = new Admission(
      counts,
      s.config,
      () => this.connections.size + this.upgrading,
      () => this.evictOldestPending(),
    );
    const beat = Math.max(20, Math.min(limits.heartbeatIntervalMs / 2, 5000));
    this.timers.push(setInterval(() => this.dropSilent(), beat));
    if (s.config.loginDeadlineMs > 0) {
      this.timers.push(setInterval(() => this.enforceLoginDeadline(), Math.max(20, Math.min(s.config.loginDeadlineMs / 4, 2500))));
    }
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
    const address = clientAddress(req, this.s.config.trustProxyHops);
    // The process cap is checked before this upgrade counts as one in progress.
    const admitting = this.admission.admit(address);
    this.upgrading += 1;
    void admitting.then(
      (verdict) => {
        this.upgrading -= 1;
        this.upgrade(req, socket, head, address, verdict);
      },
      (err: unknown) => {
        this.upgrading -= 1;
        this.s.logger.error({ err }, 'counting a socket failed');
        refuse(socket, 503, 'Service Unavailable', 10);
      },
    );
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, address: string, verdict: Admitted | Refusal): void {
    if (this.closing && !isRefusal(verdict)) {
      // Shutdown began while the slots were being counted.
      this.admission.release(verdict);
      return refuse(socket, 503, 'Service Unavailable', 10);
    }
    if (isRefusal(verdict)) {
      this.s.metrics.socketLimits.inc({ reason: verdict.reason });
      return refuse(socket, verdict.status, verdict.text, verdict.retryAfterSeconds);
    }
    let accepted = false;
    // ws answers the handshake (or refuses a malformed one) synchronously.
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      accepted = true;
      const conn = this.accept(ws, socket, address, verdict);
      conn.userAgent = req.headers['user-agent']?.slice(0, MAX_USER_AGENT);
      // The cookie counts only beside an allowed Origin (a foreign one was refused above): a
      // page of another site cannot open a socket that carries it, SameSite aside.
      const origin = req.headers.origin;
      if (origin !== undefined && this.isAllowedOrigin(origin)) conn.cookieToken = sessionTokenFromCookie(req.headers.cookie);
    });
    if (!accepted) this.admission.release(verdict);
  }

  /** Closes every socket with a code (shutdown: 1001). */
  closeAll(code: number, reason: string): void {
    for (const conn of this.connections) conn.close(code, reason);
  }

  /** Stops timers and closes every socket with 1001, waiting (briefly) for them to go. */
  async close(): Promise<void> {
    this.closing = true;
    for (const t of this.timers) clearInterval(t);
    const closing = [...this.connections].map(
      (conn) => new Promise<void>((resolve) => (conn.ws.readyState === 3 ? resolve() : conn.ws.once('close', () => resolve()))),
    );
    this.closeAll(CLOSE_CODES.GOING_AWAY, 'server shutting down');
    await Promise.race([Promise.all(closing), new Promise((r) => setTimeout(r, 1500).unref())]);
    for (const conn of this.connections) conn.ws.terminate();
  }

  private accept(ws: WebSocket, socket: Duplex, address: string, admitted: Admitted): Connection {
    const { config } = this.s;
    // `socket` is the stream ws writes to: corking it batches ws's frames (Hub.batch).
    const conn = new Connection(this.nextId++, ws, { ...config.limits, maxBufferedBytes: config.maxBufferedBytes }, this.s.now, socket, address);
    this.connections.add(conn);
    this.waiting.add(conn);
    this.admitted.set(conn, admitted);
    this.s.metrics.connections.inc();
    ws.on('message', (data, isBinary) => socketOnMessage(this, conn, data, isBinary));
    ws.on('ping', () => socketOnControl(this, conn));
    ws.on('pong', () => socketOnControl(this, conn));
    ws.on('close', () => socketOnClose(this, conn));
    ws.on('error', (err) => this.s.logger.debug({ err, conn: conn.id }, 'socket error'));
    return conn;
  }

  /**
   * @internal A WebSocket ping or pong from the client. ws answers a ping
   * itself (and cuts a client that stops reading those answers); it costs a
   * token like a command, so control frames cannot flood past the rate limit.
   */
  onControl(conn: Connection): void {
    conn.lastActivityAt = this.s.now();
    if (conn.bucket.take() === 'close') conn.close(CLOSE_CODES.POLICY_VIOLATION, 'rate limit exceeded for too long');
  }

  /** @internal used by the socket listeners below. */
  onFrame(conn: Connection, data: RawData, isBinary: boolean): void {
    conn.lastActivityAt = this.s.now();
    if (this.paused) return;
    // Past its login deadline a socket only waits for the sign-in it had in flight; nothing new is taken.
    if (conn.loginOverdue) return;
    // A socket that is not reading what it was sent gets no new work; its next write closes it.
    if (conn.overWriteCap) return conn.closeTooSlow();
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
    // A frame waits (behind a login being checked, or a heavy read) holding its
    // decoded payload; what one socket has waiting is capped in bytes.
    const size = rawBytes(data);
    const maxQueued = this.s.config.maxQueuedBytes;
    if (maxQueued > 0 && conn.queuedBytes + size > maxQueued) {
      this.s.metrics.errors.inc({ command: 'unknown', code: 'RATE_LIMITED' });
      conn.sendError('RATE_LIMITED', `more than ${maxQueued} bytes of commands are waiting for earlier ones; retry after their answers`, frame.name, peekRequestId(frame.payload));
      return;
    }
    conn.queuedBytes += size;
    const started = (): void => {
      conn.queuedBytes -= size;
    };
    const dispatched = HEAVY_COMMANDS.has(frame.name)
      ? (): Promise<void> => this.runHeavy(conn, frame, started)
      : (): Promise<void> => {
          started();
          return dispatch(conn, frame, this.s);
        };
    const signingIn = SIGN_IN_COMMANDS.has(frame.name);
    if (signingIn) conn.signingIn += 1;
    const run = signingIn ? (): Promise<void> => dispatched().finally(() => this.signInDone(conn)) : dispatched;
    if (SESSION_COMMANDS.has(frame.name)) {
      const done: Promise<void> = (conn.exclusive ?? Promise.resolve()).then(run).finally(() => {
        if (conn.exclusive === done) conn.exclusive = null;
        this.afterSessionCommand(conn);
      });
      conn.exclusive = done;
    } else if (conn.exclusive) {
      void conn.exclusive.then(run);
    } else {
      void run();
    }
  }

  /** Queues a heavy command behind the socket's earlier ones; it starts only while the socket is under its write cap. */
  private runHeavy(conn: Connection, frame: DecodedFrame, started: () => void): Promise<void> {
    const start = (): Promise<void> | void => {
      started();
      if (!conn.isOpen) return;
      if (conn.overWriteCap) return conn.closeTooSlow();
      return dispatch(conn, frame, this.s);
    };
    const done = conn.heavy.then(start);
    conn.heavy = done;
    return done;
  }

  /**
   * Closes the socket that has waited longest without logging in and is not
   * signing in right now, to make room for a new one (4408, as its deadline
   * would have). Real clients log in one round trip after opening, so only
   * sockets that do not are ever this old.
   */
  private evictOldestPending(): boolean {
    for (const conn of this.waiting) {
      if (conn.session || conn.signingIn > 0) continue;
      this.s.metrics.socketLimits.inc({ reason: 'evicted_for_room' });
      conn.close(CLOSE_CODES.LOGIN_TIMEOUT, 'not logged in, and the server needs the room');
      conn.ws.terminate();
      // Off the books at once (its close event finds it gone): the room is there for the upgrade that asked.
      this.onClose(conn);
      return true;
    }
    return false;
  }

  /** A registration, account creation or login answered: a socket past its login deadline is closed once none is left. */
  private signInDone(conn: Connection): void {
    conn.signingIn -= 1;
    if (conn.loginOverdue && !conn.session && conn.signingIn === 0) this.closeOverdue(conn);
  }

  /** After a login, logout or registration: a socket that logged in stops counting as pending, within its user's cap. */
  private afterSessionCommand(conn: Connection): void {
    const admitted = this.admitted.get(conn);
    const userId = conn.userId;
    if (!conn.session || !userId) return;
    conn.unauthenticatedSince = null;
    conn.loginOverdue = false;
    if (admitted) this.admission.loggedIn(admitted);
    this.waiting.delete(conn);
    const max = this.s.config.maxSocketsPerUser;
    if (max > 0 && this.s.presence.peersOf(userId).size > max) {
      this.s.metrics.socketLimits.inc({ reason: 'sockets_per_user' });
      conn.close(CLOSE_CODES.TOO_MANY_SOCKETS, `this account already has ${max} sockets open`);
    }
  }

  /** @internal */
  onClose(conn: Connection): void {
    if (!this.connections.delete(conn)) return;
    this.waiting.delete(conn);
    const admitted = this.admitted.get(conn);
    if (admitted) this.admission.release(admitted);
    if (conn.tooSlow) {
      this.s.metrics.socketLimits.inc({ reason: 'too_slow' });
      this.s.logger.warn({ conn: conn.id, address: conn.address }, 'closed a socket that did not read its replies');
    }
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

  /**
   * Closes sockets without a session past the login deadline, counted from
   * opening or from losing their session (logout, revocation, expiry). A
   * registration, account creation or login still running then (a password
   * hash on a loaded server) is let finish, and nothing new is taken; if it
   * did not log the socket in, the socket is closed right after its answer
   * (`signInDone`). A real client needs one round trip.
   */
  private enforceLoginDeadline(): void {
    const now = this.s.now();
    const deadline = this.s.config.loginDeadlineMs;
    for (const conn of this.connections) {
      if (conn.session) {
        conn.unauthenticatedSince = null;
        continue;
      }
      if (conn.unauthenticatedSince === null) {
        conn.unauthenticatedSince = now;
        continue;
      }
      if (now - conn.unauthenticatedSince < deadline) continue;
      if (conn.signingIn === 0) this.closeOverdue(conn);
      else conn.loginOverdue = true;
    }
  }

  private closeOverdue(conn: Connection): void {
    this.s.metrics.socketLimits.inc({ reason: 'login_timeout' });
    conn.close(CLOSE_CODES.LOGIN_TIMEOUT, `not logged in within ${this.s.config.loginDeadlineMs} ms`);
  }

  private expireSessions(): void {
    for (const session of this.s.sessions.expired()) revokeSession(session, this.s);
  }
}

function socketOnMessage(gateway: Gateway, conn: Connection, data: RawData, isBinary: boolean): void {
  gateway.onFrame(conn, data, isBinary);
}

function socketOnControl(gateway: Gateway, conn: Connection): void {
  gateway.onControl(conn);
}

function socketOnClose(gateway: Gateway, conn: Connection): void {
  gateway.onClose(conn);
}

function rawBytes(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

const STATUS_TEXT: Record<number, string> = { 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 503: 'Service Unavailable' };

function refuse(socket: Duplex, status: number, text: string, retryAfterSeconds?: number): void {
  const retry = retryAfterSeconds === undefined ? '' : `Retry-After: ${retryAfterSeconds}\r\n`;
  const body = Buffer.from(text);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\n${retry}Content-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${text}`,
    () => socket.destroy(),
  );
}

import type { ConnectionState, ConnectionStatus } from './connection-events';
import type { Dispatch } from '../dispatch/dispatch';
import {
  CLOSE_CODES,
  DEFAULT_LIMITS,
  MAX_INCOMING_FRAME_BYTES,
  ProtocolError,
  decodeFrame,
  encodeFrame,
  parseServerMessage,
  type ClientCommandInputs,
  type ClientCommandName,
  type ServerMessages,
} from '../protocol';
import { DEFAULT_BACKOFF, backoffDelay, type BackoffOptions } from './backoff';
import { ConnectionError } from './connection-error';
import { LivenessProbe } from './liveness-probe';
import { PendingRequests } from './pending-requests';
import { RESPONSE_OF, type RequestCommandName, type ResponseNameOf } from './request-names';

/** Something that fires the browser's `online` and `offline` events (window in the app, a fake in tests). */
export interface EventSourceLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

export interface CommunicatorOptions {
  url: string;
  dispatch: Dispatch;
  WebSocketImpl: typeof WebSocket;
  /** Source of `online` events (reconnect at once) and `offline` events (check the socket at once). */
  onlineEvents?: EventSourceLike | null;
  backoff?: BackoffOptions;
  /** Until the server announces its own in ClientRegistrationResponse. */
  heartbeatIntervalMs?: number;
  /** Default timeout of `request()`; null waits until the socket closes. */
  requestTimeoutMs?: number | null;
  random?: () => number;
  /** Largest incoming frame parsed (MAX_INCOMING_FRAME_BYTES; smaller in tests). */
  maxIncomingFrameBytes?: number;
  /** A request unanswered this long with nothing heard meanwhile makes the socket be checked (default 3 s). */
  unansweredMs?: number;
  /** A check declares the socket dead when nothing arrives within this long of its ping (default 2 s). */
  probeTimeoutMs?: number;
}

const OPEN = 1;
/** After this long without a refusal close, the reconnect delay after one starts small again. */
const REFUSAL_MEMORY_MS = 5 * 60 * 1000;
/** This client's 4009 for an oversize frame. */
const CLIENT_FRAME_TOO_LARGE = 4009;
/**
 * Closes that refuse this client rather than end a connection: the socket
 * had opened (which resets the attempt count), yet reconnecting at once
 * would meet the same refusal, so these back off like failed attempts.
 * The server's 1008 (flooding, silent, not reading), 4429 (too many sockets
 * for the account), RFC 6455's 1013 (try again later), and the client's own
 * oversize close.
 */
const REFUSALS: ReadonlySet<number> = new Set([CLOSE_CODES.POLICY_VIOLATION, CLOSE_CODES.TOO_MANY_SOCKETS, 1013, CLIENT_FRAME_TOO_LARGE]);

/**
 * The one owner of the WebSocket: it frames and sends commands, validates
 * every incoming frame and triggers its short name on the bus, reconnects
 * with backoff and jitter, pings to find dead sockets, and announces
 * `connection:state`. Nothing above it sees the socket.
 */
export class Communicator {
  private readonly options: CommunicatorOptions;
  private readonly requests = new PendingRequests();
  private socket: WebSocket | null = null;
  private started = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private heartbeatIntervalMs: number;
  private missedPongs = 0;
  private maxFrameBytes: number = DEFAULT_LIMITS.maxFrameBytes;
  private status: ConnectionStatus = { state: 'offline' };
  private refusedCloses = 0;
  private lastRefusalAt = 0;
  /** When the current socket was made: its handshake is the link's first round-trip measurement. */
  private connectingSince = 0;
  private readonly liveness: LivenessProbe;
  private readonly onOnline = (): void => this.reconnectNow();
  private readonly onOffline = (): void => this.liveness.probe();

  constructor(options: CommunicatorOptions) {
    this.options = options;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_LIMITS.heartbeatIntervalMs;
    this.liveness = new LivenessProbe({
      ping: () => this.sendMessage('PingCommand', { t: Date.now() }),
      awaiting: () => this.requests.size > 0,
      dead: (reason) => this.declareDead(reason),
      unansweredMs: options.unansweredMs ?? 3000,
      probeTimeoutMs: options.probeTimeoutMs ?? 2000,
    });
  }

  /** Opens the socket and keeps it open until `stop()`. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.options.onlineEvents?.addEventListener('online', this.onOnline);
    this.options.onlineEvents?.addEventListener('offline', this.onOffline);
    this.connect();
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    this.options.onlineEvents?.removeEventListener('online', this.onOnline);
    this.options.onlineEvents?.removeEventListener('offline', this.onOffline);
    this.clearRetry();
    this.dropSocket(1000, 'client stopped');
    this.announce({ state: 'offline' });
  }

  state(): ConnectionState {
    return this.status.state;
  }

  isOpen(): boolean {
    return this.socket !== null && this.socket.readyState === OPEN && this.status.state === 'online';
  }

  /**
   * Namespaces and sends one command. Returns false when the socket is not
   * open: the frame is not queued here, the caller (the outbox) keeps it.
   */
  sendMessage<K extends ClientCommandName>(shortName: K, payload: ClientCommandInputs[K]): boolean {
    if (!this.isOpen() || !this.socket) return false;
    const text = encodeFrame(shortName, payload);
    if (text.length > this.maxFrameBytes && new TextEncoder().encode(text).length > this.maxFrameBytes) {
      throw new ProtocolError('INVALID_PAYLOAD', `${shortName} is larger than the ${this.maxFrameBytes}-byte frame limit`, shortName);
    }
    this.socket.send(text);
    return true;
  }

  /**
   * Sends a command with a fresh requestId and resolves with its response, or
   * rejects with the ErrorResponse's code (ProtocolError) or a ConnectionError
   * (OFFLINE, DISCONNECTED, TIMEOUT). The answer goes to this promise only,
   * not to the bus: the caller asked, so the caller handles it, once.
   */
  request<C extends RequestCommandName>(
    shortName: C,
    payload: Omit<ClientCommandInputs[C], 'requestId'>,
    timeoutMs: number | null | undefined = this.options.requestTimeoutMs ?? 15_000,
  ): Promise<ServerMessages[ResponseNameOf<C>]> {
    const requestId = this.requests.nextId();
    if (!this.isOpen()) {
      return Promise.reject(new ConnectionError('OFFLINE', `cannot send ${shortName}: not connected`));
    }
    const answer = this.requests.add(requestId, RESPONSE_OF[shortName], timeoutMs ?? null);
    try {
      this.sendMessage(shortName, { ...payload, requestId } as ClientCommandInputs[C]);
      this.liveness.requested();
      const sentAt = Date.now();
      // An answer, a refusal included, measures the link; a lost socket or a timeout does not.
      const measure = (): void => this.liveness.roundTrip(Date.now() - sentAt);
      answer.then(measure, (error: unknown) => (error instanceof ProtocolError ? measure() : undefined));
    } catch (error) {
      this.requests.settle('ErrorResponse', { requestId, ...toErrorPayload(error) } as ServerMessages['ErrorResponse']);
    }
    return answer as Promise<ServerMessages[ResponseNameOf<C>]>;
  }

  private connect(): void {
    this.clearRetry();
    this.announce({ state: 'connecting', attempt: this.attempt });
    this.connectingSince = Date.now();
    let socket: WebSocket;
    try {
      socket = new this.options.WebSocketImpl(this.options.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => socketOnOpen(this, socket);
    socket.onmessage = (event: MessageEvent) => socketOnMessage(this, socket, event);
    socket.onclose = (event: CloseEvent) => socketOnClose(this, socket, event.code, event.reason);
    socket.onerror = () => undefined;
  }

  /** @internal called by the socket listeners below. */
  handleOpen(socket: WebSocket): void {
    if (socket !== this.socket) return;
    this.attempt = 0;
    this.missedPongs = 0;
    this.liveness.reset();
    this.liveness.roundTrip(Date.now() - this.connectingSince);
    this.announce({ state: 'online' });
    this.startHeartbeat();
    this.options.dispatch.emit('connection:open', { attempt: this.attempt });
  }

  /**
   * @internal Every frame goes one way: the answer to a pending `request()`
   * settles that request and nothing else; every other frame (notifications,
   * answers to commands sent without a requestId, an answer that came after
   * its request timed out) is triggered on the bus.
   */
  handleFrame(socket: WebSocket, data: unknown): void {
    if (socket !== this.socket) return;
    this.liveness.heard();
    if (typeof data !== 'string') {
      this.reportBadFrame(new ProtocolError('BAD_FRAME', 'binary frames are not part of the protocol'), '');
      return;
    }
    if (this.isOversize(data)) {
      this.refuseOversize(socket, data);
      return;
    }
    let message;
    try {
      message = parseServerMessage(decodeFrame(data));
    } catch (error) {
      const coded = error instanceof ProtocolError ? error : new ProtocolError('BAD_FRAME', String(error));
      this.reportBadFrame(coded, data.slice(0, 200));
      return;
    }
    if (message.name === 'PongResponse') {
      this.missedPongs = 0;
      // Our pings carry our clock's time, which the pong echoes.
      if (message.payload.t !== undefined) this.liveness.roundTrip(Date.now() - message.payload.t);
    }
    if (message.name === 'ClientRegistrationResponse') {
      this.maxFrameBytes = message.payload.limits.maxFrameBytes;
      if (message.payload.heartbeatIntervalMs !== this.heartbeatIntervalMs) {
        this.heartbeatIntervalMs = message.payload.heartbeatIntervalMs;
        this.startHeartbeat();
      }
    }
    if (this.requests.settle(message.name, message.payload as { requestId?: string })) return;
    try {
      this.options.dispatch.trigger(message.name, message.payload);
    } catch (error) {
      // A listener's bug must not take the socket down with it.
      console.error(`listener of ${message.name} failed`, error);
    }
  }

  /** @internal */
  handleClose(socket: WebSocket, code: number, reason: string): void {
    if (socket !== this.socket) return;
    this.detach(socket);
    this.socket = null;
    this.stopHeartbeat();
    this.liveness.reset();
    this.requests.rejectAll(new ConnectionError('DISCONNECTED', `socket closed (${code}) before the answer came`));
    this.options.dispatch.emit('connection:close', { code, reason });
    if (!this.started) return;
    // The server closes a socket that has not logged in by its deadline: this
    // client had nothing to log in with (the login form is showing). It
    // reconnects when it has (LoginController calls reconnectNow), or on the
    // browser's online event, instead of holding a socket it cannot use. The
    // state stays what it was: the server was reachable.
    if (code === CLOSE_CODES.LOGIN_TIMEOUT) return;
    if (REFUSALS.has(code)) this.attempt = this.countRefusal();
    this.scheduleReconnect();
  }

  /** The attempt number to back off from after a refusal: refusals within REFUSAL_MEMORY_MS of each other count up. */
  private countRefusal(): number {
    const now = Date.now();
    if (now - this.lastRefusalAt > REFUSAL_MEMORY_MS) this.refusedCloses = 0;
    this.lastRefusalAt = now;
    return this.refusedCloses++;
  }

  /** Checked before JSON.parse: the length bounds the bytes (1 to 3 UTF-8 bytes a UTF-16 unit), so most frames need no encoding. */
  private isOversize(data: string): boolean {
    const cap = this.options.maxIncomingFrameBytes ?? MAX_INCOMING_FRAME_BYTES;
    if (data.length > cap) return true;
    if (data.length * 3 <= cap) return false;
    return new TextEncoder().encode(data).length > cap;
  }

  /**
   * A frame over the cap is never parsed, so whatever it answered is lost:
   * maybe the reply to a pending request. Waiting would leave that request
   * to its timeout, or forever without one; instead the socket is closed
   * with 4009 (1009, message too big, is the server's to send: a browser may
   * only close with 1000 or 3000-4999), which fails every pending request
   * now with DISCONNECTED (callers retry: the outbox resends, catch-up runs
   * again on the next login) and reconnects. Repeated oversize frames back
   * the reconnects off like failed attempts, so a hostile server cannot make
   * the client reconnect in a tight loop.
   */
  private refuseOversize(socket: WebSocket, data: string): void {
    const cap = this.options.maxIncomingFrameBytes ?? MAX_INCOMING_FRAME_BYTES;
    this.reportBadFrame(new ProtocolError('BAD_FRAME', `a frame of ${data.length} characters is larger than the client's ${cap}-byte limit; not parsed, reconnecting`), data.slice(0, 200));
    this.dropSocket(CLIENT_FRAME_TOO_LARGE, 'frame too large');
    this.handleClose(socket, CLIENT_FRAME_TOO_LARGE, 'frame too large');
  }

  private reportBadFrame(error: ProtocolError, frame: string): void {
    this.options.dispatch.emit('protocol:error', { error, frame });
  }

  private scheduleReconnect(): void {
    const delay = backoffDelay(this.attempt, this.options.random ?? Math.random, this.options.backoff ?? DEFAULT_BACKOFF);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
    this.announce({ state: 'offline', nextAttemptAt: Date.now() + delay, attempt: this.attempt });
  }

  /** Tries at once instead of waiting for the scheduled retry (the person is waiting, or the browser is back online). */
  reconnectNow(): void {
    if (!this.started || this.socket !== null) return;
    this.connect();
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    if (!this.socket || this.socket.readyState !== OPEN) return;
    this.heartbeatTimer = setInterval(() => this.beat(), this.heartbeatIntervalMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  /** Two pings without a pong mean the socket is dead, even if the browser has not noticed. */
  private beat(): void {
    if (this.missedPongs >= 2) {
      this.declareDead('heartbeat lost');
      return;
    }
    this.missedPongs += 1;
    this.sendMessage('PingCommand', { t: Date.now() });
  }

  /** Closes a socket that stopped answering (4000) and goes through the close at once: the browser may not fire it for a minute. */
  private declareDead(reason: string): void {
    const socket = this.socket;
    this.dropSocket(4000, reason);
    if (socket) this.handleClose(socket, 4000, reason);
  }

  private dropSocket(code: number, reason: string): void {
    const socket = this.socket;
    if (!socket) return;
    if (!this.started) {
      this.detach(socket);
      this.socket = null;
      this.stopHeartbeat();
      this.liveness.reset();
      this.requests.rejectAll(new ConnectionError('DISCONNECTED', 'client stopped'));
    }
    try {
      socket.close(code, reason);
    } catch {
      // Closing a socket that never opened may throw; it is gone either way.
    }
  }

  private detach(socket: WebSocket): void {
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = null;
  }

  private announce(status: ConnectionStatus): void {
    this.status = status;
    this.options.dispatch.emit('connection:state', status);
  }
}

function toErrorPayload(error: unknown): { code: string; message: string } {
  if (error instanceof ProtocolError) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: String(error) };
}

function socketOnOpen(communicator: Communicator, socket: WebSocket): void {
  communicator.handleOpen(socket);
}

function socketOnMessage(communicator: Communicator, socket: WebSocket, event: MessageEvent): void {
  communicator.handleFrame(socket, event.data);
}

function socketOnClose(communicator: Communicator, socket: WebSocket, code: number, reason: string): void {
  communicator.handleClose(socket, code, reason);
}

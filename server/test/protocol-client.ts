import { WebSocket } from 'ws';
import {
  decodeFrame,
  encodeFrame,
  type ClientCommandInputs,
  type ClientCommandName,
  type ServerMessageName,
  type ServerMessages,
} from '../../src/protocol/index';

export interface Frame {
  name: string;
  payload: Record<string, unknown>;
}

type Payload<K extends ServerMessageName> = ServerMessages[K];

/**
 * A typed protocol client for tests over a real socket: send by short name,
 * await the next frame of a name, or make a request and await the reply that
 * echoes its requestId. Every wait has a timeout, so a test never hangs.
 */
export class ProtocolClient {
  private readonly inbox: Frame[] = [];
  private waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  private nextRequest = 1;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = decodeFrame(data.toString());
      const i = this.waiters.findIndex((w) => w.match(frame));
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(frame);
      else this.inbox.push(frame);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** `headers`: more upgrade headers, as a browser would send (User-Agent, Cookie). */
  static connect(wsUrl: string, options: { origin?: string; timeoutMs?: number; headers?: Record<string, string> } = {}): Promise<ProtocolClient> {
    const ws = new WebSocket(wsUrl, { ...(options.origin ? { origin: options.origin } : {}), ...(options.headers ? { headers: options.headers } : {}) });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('connect timed out')), options.timeoutMs ?? 3000);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve(new ProtocolClient(ws));
      });
      ws.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  send<K extends ClientCommandName>(name: K, payload: ClientCommandInputs[K]): void {
    this.ws.send(encodeFrame(name, payload));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** The next frame that `match` accepts (queued or future). */
  waitFor(match: (f: Frame) => boolean, timeoutMs = 3000, what = 'frame'): Promise<Frame> {
    const i = this.inbox.findIndex(match);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (f: Frame) => {
          clearTimeout(timer);
          resolve(f);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no ${what} within ${timeoutMs} ms; inbox: ${JSON.stringify(this.inbox.map((f) => f.name))}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** The frames already received and not yet taken that `match` accepts (no waiting); they stay queued. */
  queued(match: (f: Frame) => boolean): Frame[] {
    return this.inbox.filter(match);
  }

  async next<K extends ServerMessageName>(name: K, timeoutMs = 3000): Promise<Payload<K>> {
    return (await this.waitFor((f) => f.name === name, timeoutMs, name)).payload as Payload<K>;
  }

  /** Whether a frame of this name arrives within `ms` (for asserting that nothing comes). */
  async receives(name: ServerMessageName, ms = 200): Promise<boolean> {
    try {
      await this.waitFor((f) => f.name === name, ms, name);
      return true;
    } catch {
      return false;
    }
  }

  /** Sends with a fresh requestId and resolves with the frame that echoes it (response or error). */
  async request<K extends ClientCommandName>(name: K, payload: ClientCommandInputs[K], timeoutMs = 5000): Promise<Frame> {
    const requestId = `r${this.nextRequest++}`;
    this.send(name, { ...payload, requestId });
    return this.waitFor((f) => f.payload['requestId'] === requestId, timeoutMs, `reply to ${name}`);
  }

  /** A request expected to succeed with `reply`; throws with the ErrorResponse otherwise. */
  async call<K extends ClientCommandName, R extends ServerMessageName>(name: K, payload: ClientCommandInputs[K], reply: R): Promise<Payload<R>> {
    const frame = await this.request(name, payload);
    if (frame.name !== reply) throw new Error(`${name} answered ${frame.name}: ${JSON.stringify(frame.payload)}`);
    return frame.payload as Payload<R>;
  }

  /** A request expected to fail; resolves with its ErrorResponse. */
  async fail<K extends ClientCommandName>(name: K, payload: ClientCommandInputs[K]): Promise<Payload<'ErrorResponse'>> {
    const frame = await this.request(name, payload);
    if (frame.name !== 'ErrorResponse') throw new Error(`${name} answered ${frame.name}, expected ErrorResponse`);
    return frame.payload as Payload<'ErrorResponse'>;
  }

  async register(): Promise<Payload<'ClientRegistrationResponse'>> {
    return this.call('ClientRegistrationCommand', { clientInformation: { clientMedium: 'web', clientVersion: 'test' } }, 'ClientRegistrationResponse');
  }

  close(): void {
    this.ws.close();
  }
}

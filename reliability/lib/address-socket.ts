import WebSocket from 'ws';
import { decodeFrame, encodeFrame } from '../../src/protocol/index';

/**
 * A protocol socket opened from a chosen loopback address (127.0.0.0/8 all
 * reaches the loopback interface on Linux), so a suite can play many clients
 * at distinct addresses against one server without leaving the machine.
 * `call` sends a command with a fresh requestId and resolves with the frame
 * that echoes it; every wait has a timeout.
 */
export interface Reply {
  name: string;
  payload: Record<string, unknown>;
}

export class AddressSocket {
  private nextRequest = 1;
  private readonly waiting = new Map<string, (reply: Reply) => void>();
  closed = false;

  private constructor(
    readonly ws: WebSocket,
    readonly address: string,
  ) {
    ws.on('message', (data) => {
      const frame = decodeFrame(data.toString());
      const id = frame.payload['requestId'];
      const resolve = typeof id === 'string' ? this.waiting.get(id) : undefined;
      if (resolve) {
        this.waiting.delete(id as string);
        resolve({ name: frame.name, payload: frame.payload });
      }
    });
    ws.on('close', () => {
      this.closed = true;
      for (const resolve of this.waiting.values()) resolve({ name: 'Closed', payload: {} });
      this.waiting.clear();
    });
    ws.on('error', () => {});
  }

  static open(wsUrl: string, address: string, timeoutMs = 5000): Promise<AddressSocket> {
    const ws = new WebSocket(wsUrl, { localAddress: address });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`socket from ${address}: connect timed out`)), timeoutMs);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve(new AddressSocket(ws, address));
      });
      ws.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  /** Opens a socket from `address` and registers it. */
  static async registered(wsUrl: string, address: string): Promise<AddressSocket> {
    const sock = await AddressSocket.open(wsUrl, address);
    await sock.call('ClientRegistrationCommand', { clientInformation: { clientMedium: 'web', clientVersion: 'reliability' } });
    return sock;
  }

  call(name: string, payload: Record<string, unknown>, timeoutMs = 15_000): Promise<Reply> {
    const requestId = `r${this.nextRequest++}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        resolve({ name: 'Timeout', payload: {} });
      }, timeoutMs);
      this.waiting.set(requestId, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.ws.send(encodeFrame(name as never, { ...payload, requestId } as never));
    });
  }

  /** A password or token login. */
  login(userInformation: Record<string, unknown>): Promise<Reply> {
    return this.call('AccountLoginCommand', { userInformation });
  }

  close(): void {
    this.ws.close();
  }
}

/** What a reply comes to: LOGGED_IN, CREATED, a login failure's reason, or an ErrorResponse's code. */
export function outcomeOf(reply: Reply): string {
  const p = reply.payload;
  if (reply.name === 'ErrorResponse') return String(p['code']);
  if (p['loggedIn'] === true) return 'LOGGED_IN';
  if (p['created'] === true) return 'CREATED';
  return String(p['reason'] ?? reply.name);
}

/** Counts of each outcome. */
export function tally(outcomes: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;
  return counts;
}

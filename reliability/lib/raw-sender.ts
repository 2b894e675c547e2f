import WebSocket from 'ws';
import { decodeFrame, encodeFrame } from '../../src/protocol/index';

/**
 * A bare protocol client that keeps its own outbox: every message is written
 * once with a fresh clientMessageId and resent with the same id on every new
 * socket until the server acknowledges it. It proves acknowledged writes
 * survive without the client core's logic in between.
 */
export interface RawMessage {
  clientMessageId: string;
  conversationId: string;
  body: string;
}

export class RawSender {
  readonly written: RawMessage[] = [];
  /** clientMessageId -> seq the server acknowledged. */
  readonly acked = new Map<string, number>();
  private pending: RawMessage[] = [];
  private ws: WebSocket | null = null;
  private ready = false;
  private connecting = false;
  private stopped = false;
  connects = 0;

  constructor(
    private readonly url: () => string,
    private readonly token: string,
    readonly name: string,
  ) {}

  write(conversationId: string, body: string): void {
    const m = { clientMessageId: `${this.name}-${this.written.length}`, conversationId, body };
    this.written.push(m);
    this.pending.push(m);
    if (this.ready) this.sendOne(m);
    else this.ensureConnected();
  }

  pendingCount(): number {
    return this.pending.length;
  }

  /** Connects (again) if there is no socket; safe to call often. */
  ensureConnected(): void {
    if (this.stopped || this.connecting || this.ws) return;
    this.connecting = true;
    const ws = new WebSocket(this.url());
    this.ws = ws;
    ws.on('open', () => {
      this.connecting = false;
      ws.send(encodeFrame('ClientRegistrationCommand', { clientInformation: { clientMedium: 'web', clientVersion: 'reliability' } }));
      ws.send(encodeFrame('AccountLoginCommand', { userInformation: { sessionToken: this.token } }));
    });
    ws.on('message', (data) => {
      const frame = decodeFrame(data.toString());
      if (frame.name === 'AccountLoginResponse' && frame.payload['loggedIn'] === true) {
        this.ready = true;
        this.connects++;
        for (const m of this.pending) this.sendOne(m);
      } else if (frame.name === 'SendMessageResponse') {
        const id = frame.payload['clientMessageId'] as string;
        const seq = (frame.payload['message'] as { seq: number }).seq;
        this.acked.set(id, seq);
        this.pending = this.pending.filter((m) => m.clientMessageId !== id);
      }
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      this.connecting = false;
      this.ready = false;
      if (this.ws === ws) this.ws = null;
      if (!this.stopped) setTimeout(() => this.ensureConnected(), 100).unref();
    });
  }

  private sendOne(m: RawMessage): void {
    this.ws?.send(encodeFrame('SendMessageCommand', m));
  }

  stop(): void {
    this.stopped = true;
    this.ws?.terminate();
    this.ws = null;
  }
}

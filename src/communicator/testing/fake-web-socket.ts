import { decodeFrame, encodeFrame, type DecodedFrame } from '../../protocol';

type Responder = (frame: DecodedFrame, socket: FakeWebSocket) => void;

/**
 * A WebSocket stand-in for tests: records what the client sends, and lets
 * the test open, answer and close it. `FakeWebSocket.responder` may answer
 * every sent frame like a tiny scripted server.
 */
export class FakeWebSocket {
  static instances: FakeWebSocket[] = [];
  static responder: Responder | null = null;
  static reset(): void {
    FakeWebSocket.instances = [];
    FakeWebSocket.responder = null;
  }
  static latest(): FakeWebSocket {
    const socket = FakeWebSocket.instances[FakeWebSocket.instances.length - 1];
    if (!socket) throw new Error('no FakeWebSocket was created');
    return socket;
  }

  readyState = 0;
  readonly sent: DecodedFrame[] = [];
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this);
  }

  send(text: string): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    const frame = decodeFrame(text);
    this.sent.push(frame);
    FakeWebSocket.responder?.(frame, this);
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason } as CloseEvent);
  }

  /** Test side: the connection succeeds. */
  open(): void {
    this.readyState = 1;
    this.onopen?.({} as Event);
  }

  /** Test side: the server sends a message. */
  receive(shortName: string, payload: object): void {
    this.receiveRaw(encodeFrame(shortName, payload));
  }

  receiveRaw(data: unknown): void {
    this.onmessage?.({ data } as MessageEvent);
  }

  /** The frames sent with this short name. */
  sentNamed(name: string): Record<string, unknown>[] {
    return this.sent.filter((f) => f.name === name).map((f) => f.payload);
  }
}

export const FakeWebSocketImpl = FakeWebSocket as unknown as typeof WebSocket;

import WebSocket from 'ws';
import { decodeFrame, encodeFrame, isServerMessageName } from '../../src/protocol/index';

/**
 * One socket for the fuzzer: sends a frame (text or binary), then a marker
 * PingCommand, and collects everything the server says until the marker's
 * pong, or until the socket closes. Pings are answered in every state, so the
 * marker always comes back from a live server.
 */
export interface Outcome {
  replies: { name: string; payload: Record<string, unknown> }[];
  /** Replies that were not protocol frames at all. */
  unreadable: string[];
  closed: { code: number; reason: string } | null;
  timedOut: boolean;
}

export class FuzzSocket {
  private buffer: string[] = [];
  private onFrame: (() => void) | null = null;
  closed: { code: number; reason: string } | null = null;
  private marker = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.buffer.push(data.toString());
      this.onFrame?.();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.onFrame?.();
    });
    ws.on('error', () => {});
  }

  static open(url: string): Promise<FuzzSocket> {
    const ws = new WebSocket(url, { maxPayload: 16 * 1024 * 1024 });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('fuzz socket: connect timed out')), 5000);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve(new FuzzSocket(ws));
      });
      ws.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /**
   * Sends `data` and waits for the marker pong (or close, or `timeoutMs`),
   * and, with `replyTo`, also for the frame that echoes that requestId: a
   * command answered later than the ping sent after it (a send waits for its
   * commit; docs/PROTOCOL.md section 1: replies may come out of order) still counts.
   */
  async exchange(data: string | Buffer, binary: boolean, timeoutMs = 5000, replyTo?: string): Promise<Outcome> {
    const id = `marker-${++this.marker}`;
    // Frames that arrived since the last exchange (notifications) count as part of this one.
    this.ws.send(data, { binary });
    this.ws.send(encodeFrame('PingCommand', { requestId: id }));
    const outcome: Outcome = { replies: [], unreadable: [], closed: null, timedOut: false };
    const answered = (): boolean => replyTo === undefined || this.buffer.some((t) => t.includes(`"requestId":${JSON.stringify(replyTo)}`));
    const done = (): boolean => this.closed !== null || (this.buffer.some((t) => t.includes(`"${id}"`) && t.includes('PongResponse')) && answered());
    if (!done()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          outcome.timedOut = true;
          this.onFrame = null;
          resolve();
        }, timeoutMs);
        this.onFrame = () => {
          if (done()) {
            clearTimeout(timer);
            this.onFrame = null;
            resolve();
          }
        };
      });
    }
    for (const text of this.buffer) {
      try {
        const frame = decodeFrame(text);
        if (!isServerMessageName(frame.name)) outcome.unreadable.push(text.slice(0, 200));
        else if (!(frame.name === 'PongResponse' && frame.payload['requestId'] === id)) outcome.replies.push(frame);
      } catch {
        outcome.unreadable.push(text.slice(0, 200));
      }
    }
    this.buffer = [];
    outcome.closed = this.closed;
    return outcome;
  }

  /** Sends a command and waits for its reply by requestId. */
  async call(name: string, payload: Record<string, unknown>, timeoutMs = 5000): Promise<{ name: string; payload: Record<string, unknown> }> {
    const outcome = await this.exchange(encodeFrame(name, payload), false, timeoutMs);
    const reply = outcome.replies[0];
    if (!reply) throw new Error(`${name}: no reply (${JSON.stringify(outcome.closed)}, timed out ${outcome.timedOut})`);
    return reply;
  }

  close(): void {
    this.ws.terminate();
  }
}

import { ProtocolError, type ServerMessages } from '../protocol';
import { ConnectionError } from './connection-error';

interface Pending {
  expected: string;
  resolve(payload: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout> | null;
}

/**
 * Requests waiting for their answer, keyed by requestId. The matching
 * response resolves one; an ErrorResponse with its requestId rejects it with
 * the server's code; a closed socket or a timeout rejects it with a
 * ConnectionError.
 */
export class PendingRequests {
  private readonly pending = new Map<string, Pending>();
  private counter = 0;

  nextId(): string {
    this.counter += 1;
    return `r${this.counter.toString(36)}-${Date.now().toString(36)}`;
  }

  add(requestId: string, expected: string, timeoutMs: number | null): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const entry: Pending = { expected, resolve, reject, timer: null };
      if (timeoutMs !== null) {
        entry.timer = setTimeout(() => {
          this.pending.delete(requestId);
          reject(new ConnectionError('TIMEOUT', `no ${expected} within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.pending.set(requestId, entry);
    });
  }

  /** Settles the request a frame answers, if any; true when it did (the frame is then handled). */
  settle(name: string, payload: { requestId?: string | undefined }): boolean {
    const requestId = payload.requestId;
    if (requestId === undefined) return false;
    const entry = this.pending.get(requestId);
    if (!entry) return false;
    if (name === 'ErrorResponse') {
      const error = payload as ServerMessages['ErrorResponse'];
      this.finish(requestId, entry);
      entry.reject(new ProtocolError(error.code, error.message, error.command));
      return true;
    }
    if (name !== entry.expected) return false;
    this.finish(requestId, entry);
    entry.resolve(payload);
    return true;
  }

  rejectAll(error: Error): void {
    for (const [requestId, entry] of [...this.pending]) {
      this.finish(requestId, entry);
      entry.reject(error);
    }
  }

  get size(): number {
    return this.pending.size;
  }

  private finish(requestId: string, entry: Pending): void {
    if (entry.timer !== null) clearTimeout(entry.timer);
    this.pending.delete(requestId);
  }
}

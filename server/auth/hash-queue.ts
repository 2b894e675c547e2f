import { addressKey } from './address-key';

export interface HashQueueLimits {
  /** Hashes running at once (each holds one libuv thread; Node has 4 unless UV_THREADPOOL_SIZE says otherwise). */
  concurrency: number;
  /** Hashes waiting for a slot. */
  maxWaiting: number;
  /** Hashes running or waiting for one address. */
  perAddress: number;
}

/**
 * Password hashing (scrypt) runs on the libuv pool, which files, DNS and
 * zlib share: a burst of logins hashing at once would make every static file
 * wait behind them. This queue lets `concurrency` hashes run and a bounded
 * number wait, first come first served; when it is full, or the address
 * already holds its share, `run` refuses at once and the caller answers
 * "retry later" instead of queueing without bound.
 */
export class HashQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly perAddress = new Map<string, number>();
  /** Recent time one hash takes (moving average), for the retry hint. */
  private averageMs = 100;

  constructor(
    private readonly limits: HashQueueLimits,
    private readonly now: () => number = Date.now,
  ) {}

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** About how long a hash asked for now would wait, in ms: the hint of a refusal. */
  get expectedWaitMs(): number {
    return Math.max(100, Math.ceil(((this.waiting.length + 1) / this.limits.concurrency) * this.averageMs));
  }

  /** Runs `hash` when a slot is free, or returns null at once when there is no room for it. */
  run<T>(address: string, hash: () => Promise<T>): Promise<T> | null {
    const at = addressKey(address);
    const held = this.perAddress.get(at) ?? 0;
    if (held >= this.limits.perAddress) return null;
    if (this.running >= this.limits.concurrency && this.waiting.length >= this.limits.maxWaiting) return null;
    this.perAddress.set(at, held + 1);
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        this.running++;
        const started = this.now();
        // A hash that throws at once still frees its slot.
        Promise.resolve()
          .then(hash)
          .then(resolve, reject)
          .finally(() => {
            this.averageMs = 0.8 * this.averageMs + 0.2 * (this.now() - started);
            this.running--;
            this.release(at);
            this.waiting.shift()?.();
          });
      };
      if (this.running < this.limits.concurrency) start();
      else this.waiting.push(start);
    });
  }

  private release(at: string): void {
    const held = (this.perAddress.get(at) ?? 1) - 1;
    if (held <= 0) this.perAddress.delete(at);
    else this.perAddress.set(at, held);
  }
}

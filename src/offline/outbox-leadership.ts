/** The Web Locks name every tab of the origin competes for. */
export const OUTBOX_LOCK = 'tidings-outbox';

type LockManagerLike = Pick<LockManager, 'request'>;

/**
 * Elects one tab to flush the outbox, with a Web Lock held for as long as
 * the tab lives (or until `release()`): the other tabs queue for it and the
 * next takes over when the leader closes or crashes. The server's
 * idempotency already makes a double send harmless; this only saves the
 * double traffic. Without Web Locks every tab leads.
 */
export class OutboxLeadership {
  private leader = false;
  private releaseLock: (() => void) | null = null;
  /** Aborts the queued request of a tab that stops waiting (logout) before it leads. */
  private pending: AbortController | null = null;
  private readonly listeners = new Set<(leader: boolean) => void>();

  constructor(private readonly locks: LockManagerLike | null = defaultLocks(), private readonly name = OUTBOX_LOCK) {}

  isLeader(): boolean {
    return this.leader;
  }

  /** Calls `listener` whenever this tab gains or loses leadership; returns a function that stops it. */
  onChange(listener: (leader: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Queues for the lock; resolves once this tab leads. */
  async acquire(): Promise<void> {
    if (this.leader) return;
    if (!this.locks) {
      this.setLeader(true);
      return;
    }
    if (this.pending) return this.whenLeader();
    const pending = new AbortController();
    this.pending = pending;
    const becameLeader = this.whenLeader();
    void this.locks
      .request(this.name, { mode: 'exclusive', signal: pending.signal }, () => {
        if (this.pending !== pending) return undefined; // released while the grant was on its way
        this.setLeader(true);
        return new Promise<void>((resolve) => {
          this.releaseLock = resolve;
        });
      })
      .catch(() => {
        // Aborted by release(): this tab stopped waiting. Otherwise the locks
        // were refused (an opaque origin): lead alone rather than never.
        if (pending.signal.aborted || this.pending !== pending) return;
        this.setLeader(true);
      });
    return becameLeader;
  }

  /** Gives the lock up (logout); another tab queued for it takes over. */
  release(): void {
    const pending = this.pending;
    this.pending = null;
    pending?.abort();
    const release = this.releaseLock;
    this.releaseLock = null;
    release?.();
    this.setLeader(false);
  }

  private whenLeader(): Promise<void> {
    if (this.leader) return Promise.resolve();
    return new Promise((resolve) => {
      const stop = this.onChange((leader) => {
        if (!leader) return;
        stop();
        resolve();
      });
    });
  }

  private setLeader(leader: boolean): void {
    if (this.leader === leader) return;
    this.leader = leader;
    for (const listener of [...this.listeners]) listener(leader);
  }
}

function defaultLocks(): LockManagerLike | null {
  return typeof navigator !== 'undefined' && navigator.locks ? navigator.locks : null;
}

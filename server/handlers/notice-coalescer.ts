/**
 * At most one notice per key per interval: the first goes at once (the
 * caller sends it, with whatever else it sends then), those within the
 * interval after it are coalesced into one at its end (the coalescer calls
 * the `later` of the last of them). What that notice says is read when it
 * goes, so it carries the latest state. A key is forgotten one quiet
 * interval after its last notice, so what is held is bounded by the keys
 * active within the last interval.
 *
 * Behind this interface so that a cluster can keep the intervals in a shared
 * store; MemoryNoticeCoalescer serves one process.
 */
export interface NoticeCoalescer {
  /** True: notify now. False: within the interval; `later` is called at its end (only the last offer's). */
  admit(key: string, later: () => void): boolean;
  /** Drops every waiting notice (shutdown). */
  stop(): void;
}

interface Slot {
  /** The notice waiting for the interval's end, or null. */
  waiting: (() => void) | null;
  timer: NodeJS.Timeout;
}

export class MemoryNoticeCoalescer implements NoticeCoalescer {
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly intervalMs: number) {}

  admit(key: string, later: () => void): boolean {
    if (this.intervalMs <= 0) return true;
    const slot = this.slots.get(key);
    if (slot) {
      slot.waiting = later;
      return false;
    }
    this.slots.set(key, { waiting: null, timer: this.arm(key) });
    return true;
  }

  stop(): void {
    for (const slot of this.slots.values()) clearTimeout(slot.timer);
    this.slots.clear();
  }

  private arm(key: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const slot = this.slots.get(key);
      if (!slot) return;
      const waiting = slot.waiting;
      if (!waiting) {
        this.slots.delete(key);
        return;
      }
      // A new interval starts with the notice sent now.
      slot.waiting = null;
      slot.timer = this.arm(key);
      waiting();
    }, this.intervalMs);
    timer.unref();
    return timer;
  }
}

/**
 * Which typing notices are relayed. Each relayed notice fans out to every
 * subscriber of the conversation, so the relay is bounded per (user,
 * conversation) and per user, whichever socket the notices come from:
 *
 * - at most one notice per (user, conversation) every `intervalMs`; notices
 *   within the interval are coalesced, and the last state asked for is
 *   relayed when the interval ends (if it differs from what was relayed, or
 *   is a `typing: true` refresh);
 * - `typing: false` is relayed only after a relayed `typing: true`;
 * - a user is shown typing in at most `conversationsPerUser` conversations at
 *   once; a `typing: true` for one more is dropped;
 * - what the server holds for a (user, conversation) is forgotten
 *   `expiryMs` after its last notice (the clients forget a `typing: true`
 *   that is not refreshed by themselves, so nothing is relayed then).
 *
 * Behind this interface so that a cluster can hold the state in a shared
 * store; MemoryTypingGate serves one process.
 */
export interface TypingGate {
  /** A user's notice; `relay` is called now, once when the interval ends, or never. */
  offer(userId: string, conversationId: string, typing: boolean, relay: (typing: boolean) => void): void;
  /** Drops every timer and every entry (shutdown). */
  stop(): void;
}

export interface TypingGateLimits {
  intervalMs: number;
  conversationsPerUser: number;
  expiryMs: number;
}

/** The web client forgets a `typing: true` not refreshed for 6 s (src/controllers/typing-controller.ts). */
export const TYPING_EXPIRY_MS = 6000;

interface Entry {
  userId: string;
  /** What the receivers were last told. */
  shown: boolean;
  /** What was asked for last. */
  wanted: boolean;
  /** When the last notice was relayed (-Infinity: never). */
  sentAt: number;
  relay: (typing: boolean) => void;
  /** The end of the interval, when a coalesced notice waits for it. */
  pending: NodeJS.Timeout | null;
  expiry: NodeJS.Timeout;
}

export class MemoryTypingGate implements TypingGate {
  private readonly entries = new Map<string, Entry>();
  /** Conversations each user is shown typing in now. */
  private readonly shownPerUser = new Map<string, number>();

  constructor(
    private readonly limits: TypingGateLimits,
    private readonly now: () => number = Date.now,
  ) {}

  offer(userId: string, conversationId: string, typing: boolean, relay: (typing: boolean) => void): void {
    const key = `${userId} ${conversationId}`;
    let entry = this.entries.get(key);
    if (!entry) {
      // Nothing shown: a stop has nothing to retract. A user at the cap gets no entry either, so
      // what is held stays bounded by the conversations shown, not by those named.
      if (!typing || (this.shownPerUser.get(userId) ?? 0) >= this.limits.conversationsPerUser) return;
      entry = { userId, shown: false, wanted: true, sentAt: -Infinity, relay, pending: null, expiry: this.expire(key) };
      this.entries.set(key, entry);
    } else {
      clearTimeout(entry.expiry);
      entry.expiry = this.expire(key);
      entry.wanted = typing;
      entry.relay = relay;
    }
    if (entry.pending) return; // the interval's end relays the latest wish
    const wait = entry.sentAt + this.limits.intervalMs - this.now();
    if (wait <= 0) this.emit(entry);
    else {
      const waiting = entry;
      waiting.pending = setTimeout(() => {
        waiting.pending = null;
        this.emit(waiting);
      }, wait);
      waiting.pending.unref();
    }
  }

  stop(): void {
    for (const entry of this.entries.values()) {
      if (entry.pending) clearTimeout(entry.pending);
      clearTimeout(entry.expiry);
    }
    this.entries.clear();
    this.shownPerUser.clear();
  }

  private emit(entry: Entry): void {
    if (!entry.wanted) {
      if (!entry.shown) return;
      this.setShown(entry, false);
    } else if (!entry.shown) {
      if ((this.shownPerUser.get(entry.userId) ?? 0) >= this.limits.conversationsPerUser) return;
      this.setShown(entry, true);
    }
    entry.sentAt = this.now();
    entry.relay(entry.wanted);
  }

  private setShown(entry: Entry, shown: boolean): void {
    entry.shown = shown;
    const n = (this.shownPerUser.get(entry.userId) ?? 0) + (shown ? 1 : -1);
    if (n > 0) this.shownPerUser.set(entry.userId, n);
    else this.shownPerUser.delete(entry.userId);
  }

  private expire(key: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const entry = this.entries.get(key);
      if (!entry) return;
      if (entry.pending) clearTimeout(entry.pending);
      if (entry.shown) this.setShown(entry, false);
      this.entries.delete(key);
    }, this.limits.expiryMs);
    timer.unref();
    return timer;
  }
}

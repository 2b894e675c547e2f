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
 *   once, and a conversation shows at most `typersPerConversation` users
 *   typing at once; a `typing: true` past either is dropped (so many
 *   accounts typing into one group cost its members a bounded rate too);
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
  typersPerConversation: number;
  expiryMs: number;
}

/** The web client forgets a `typing: true` not refreshed for 6 s (src/controllers/typing-controller.ts). */
export const TYPING_EXPIRY_MS = 6000;

interface Entry {
  userId: string;
  conversationId: string;
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
  /** Conversations each user is shown typing in now, and users each conversation shows typing. */
  private readonly shownPerUser = new Map<string, number>();
  private readonly shownPerConversation = new Map<string, number>();

  constructor(
    private readonly limits: TypingGateLimits,
    private readonly now: () => number = Date.now,
  ) {}

  offer(userId: string, conversationId: string, typing: boolean, relay: (typing: boolean) => void): void {
    const key = `${userId} ${conversationId}`;
    let entry = this.entries.get(key);
    if (!entry) {
      // Nothing shown: a stop has nothing to retract. A start past a cap gets no entry either, so
      // what is held stays bounded by what is shown, not by what is named.
      if (!typing || this.full(userId, conversationId)) return;
      entry = { userId, conversationId, shown: false, wanted: true, sentAt: -Infinity, relay, pending: null, expiry: this.expire(key) };
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
    this.shownPerConversation.clear();
  }

  private emit(entry: Entry): void {
    if (!entry.wanted) {
      if (!entry.shown) return;
      this.setShown(entry, false);
    } else if (!entry.shown) {
      if (this.full(entry.userId, entry.conversationId)) return;
      this.setShown(entry, true);
    }
    entry.sentAt = this.now();
    entry.relay(entry.wanted);
  }

  private full(userId: string, conversationId: string): boolean {
    return (
      (this.shownPerUser.get(userId) ?? 0) >= this.limits.conversationsPerUser ||
      (this.shownPerConversation.get(conversationId) ?? 0) >= this.limits.typersPerConversation
    );
  }

  private setShown(entry: Entry, shown: boolean): void {
    entry.shown = shown;
    count(this.shownPerUser, entry.userId, shown ? 1 : -1);
    count(this.shownPerConversation, entry.conversationId, shown ? 1 : -1);
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

function count(counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}

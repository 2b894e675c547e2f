import type { Communicator } from '../communicator/communicator';
import { DEFAULT_LIMITS, type Entry } from '../protocol';
import type { Store } from '../store/store';

/** Newest messages fetched for a conversation never seen on this device; older ones page in on scroll. */
const FIRST_PAGE = 100;

/**
 * Brings one conversation's stored history (entries of every kind) up to its latest seq
 * (docs/PROTOCOL.md section 6): GetMessages afterSeq=syncedSeq until hasMore is
 * false. A conversation with nothing stored starts from its newest page
 * instead of its first message. One run per conversation at a time; a
 * request during a run makes it go round once more, and that round's
 * failure reaches the caller (it used to be swallowed, so a refused or
 * timed-out second round left the gap open until the next notification).
 */
export class MessageFetcher {
  private readonly running = new Map<string, Promise<void>>();
  /** The run queued behind the current one, and the latest seq it must reach. */
  private readonly queued = new Map<string, { latest: number; done: Promise<void> }>();

  constructor(
    private readonly communicator: Communicator,
    private readonly store: Store,
  ) {}

  /**
   * Resolves when the conversation has been caught up at least to what was
   * known when it was called; rejects with the error of the run that was to
   * do it, so the caller can retry. A call during a run queues one more run
   * (shared by every call made meanwhile) and returns that run's outcome.
   */
  catchUp(conversationId: string, knownLatestSeq: number): Promise<void> {
    const current = this.running.get(conversationId);
    if (!current) {
      const run = this.run(conversationId, knownLatestSeq).finally(() => this.running.delete(conversationId));
      this.running.set(conversationId, run);
      return run;
    }
    const waiting = this.queued.get(conversationId);
    if (waiting) {
      waiting.latest = Math.max(waiting.latest, knownLatestSeq);
      return waiting.done;
    }
    const next = { latest: knownLatestSeq, done: Promise.resolve() };
    next.done = current
      .catch(() => undefined)
      .then(() => {
        this.queued.delete(conversationId);
        return this.catchUp(conversationId, next.latest);
      });
    this.queued.set(conversationId, next);
    return next.done;
  }

  private async run(conversationId: string, knownLatestSeq: number): Promise<void> {
    const { store, communicator } = this;
    let latest = knownLatestSeq;
    if (store.syncPosition(conversationId).syncedSeq === 0 && store.messagesOf(conversationId).length === 0 && latest > FIRST_PAGE) {
      const page = await communicator.request('GetMessagesCommand', { conversationId, beforeSeq: latest + 1, limit: FIRST_PAGE });
      const offered = inPage(page.messages, conversationId, latest + 1 - FIRST_PAGE, latest);
      const refused = new Set(store.addEntries(offered));
      const messages = offered.filter((m) => !refused.has(m));
      if (messages.length) {
        const top = Math.max(...messages.map((m) => m.seq));
        // A genuine page is one contiguous run; the position claims only the run that ends at the top,
        // so a page with holes cannot make the client believe it holds messages it never got.
        let bottom = top;
        while (bottom > 1 && store.messageAt(conversationId, bottom - 1)) bottom--;
        if (top > store.syncPosition(conversationId).syncedSeq) store.setSyncPosition(conversationId, { syncedSeq: top, oldestSeq: bottom });
      }
      latest = Math.max(latest, page.latestSeq);
    }
    for (;;) {
      const before = store.syncPosition(conversationId).syncedSeq;
      if (before >= latest) return;
      const page = await communicator.request('GetMessagesCommand', { conversationId, afterSeq: before, limit: DEFAULT_LIMITS.messagesPageMax });
      store.addEntries(inPage(page.messages, conversationId, before + 1, before + DEFAULT_LIMITS.messagesPageMax));
      latest = Math.max(latest, page.latestSeq);
      const after = store.syncPosition(conversationId).syncedSeq;
      if (!page.hasMore && after >= page.latestSeq) return;
      if (after === before) return; // no progress: never spin on a server that answers oddly
    }
  }
}

/**
 * The entries of a page that answer its request: of this conversation, with
 * seqs in [from, to]. A genuine server sends no others; a hostile one could
 * use them to plant a message at a seq not fetched yet (the real one would
 * then be refused as a conflict) or in another conversation.
 */
function inPage(messages: Record<string, Entry>, conversationId: string, from: number, to: number): Entry[] {
  return Object.values(messages).filter((m) => m.conversationId === conversationId && m.seq >= from && m.seq <= to);
}

import type { Communicator } from '../communicator/communicator';
import { DEFAULT_LIMITS } from '../protocol';
import type { Store } from '../store/store';

/** Newest messages fetched for a conversation never seen on this device; older ones page in on scroll. */
const FIRST_PAGE = 100;

/**
 * Brings one conversation's stored history up to its latest seq
 * (PROTOCOL.md section 6): GetMessages afterSeq=syncedSeq until hasMore is
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
      const messages = Object.values(page.messages).filter((m) => m.conversationId === conversationId);
      store.addMessages(messages);
      if (messages.length) {
        const seqs = messages.map((m) => m.seq);
        const top = Math.max(...seqs);
        const bottom = Math.min(...seqs);
        // The server's seqs have no gaps, so the page is one contiguous run.
        if (top > store.syncPosition(conversationId).syncedSeq) store.setSyncPosition(conversationId, { syncedSeq: top, oldestSeq: bottom });
      }
      latest = Math.max(latest, page.latestSeq);
    }
    for (;;) {
      const before = store.syncPosition(conversationId).syncedSeq;
      if (before >= latest) return;
      const page = await communicator.request('GetMessagesCommand', { conversationId, afterSeq: before, limit: DEFAULT_LIMITS.messagesPageMax });
      store.addMessages(Object.values(page.messages).filter((m) => m.conversationId === conversationId));
      latest = Math.max(latest, page.latestSeq);
      const after = store.syncPosition(conversationId).syncedSeq;
      if (!page.hasMore && after >= page.latestSeq) return;
      if (after === before) return; // no progress: never spin on a server that answers oddly
    }
  }
}

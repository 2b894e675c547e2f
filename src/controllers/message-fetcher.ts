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
 * request during a run makes it go round once more.
 */
export class MessageFetcher {
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Map<string, number>();

  constructor(
    private readonly communicator: Communicator,
    private readonly store: Store,
  ) {}

  catchUp(conversationId: string, knownLatestSeq: number): Promise<void> {
    const current = this.running.get(conversationId);
    if (current) {
      this.again.set(conversationId, Math.max(knownLatestSeq, this.again.get(conversationId) ?? 0));
      return current;
    }
    const run = this.run(conversationId, knownLatestSeq).finally(() => {
      this.running.delete(conversationId);
      const next = this.again.get(conversationId);
      if (next !== undefined) {
        this.again.delete(conversationId);
        void this.catchUp(conversationId, next).catch(() => undefined);
      }
    });
    this.running.set(conversationId, run);
    return run;
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

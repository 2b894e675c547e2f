import type { Communicator } from '../communicator/communicator';
import type { Entry } from '../protocol';
import type { Store } from '../store/store';
import type { DirectoryController } from './directory-controller';

/** What the views may ask of a conversation's history. */
export interface HistoryActions {
  /** Brings the page before the oldest entry in memory (from the disk while it has some, then the server); resolves false at the start. */
  loadOlder(conversationId: string): Promise<boolean>;
  /**
   * Makes sure the message is in the conversation's collection (a reply's
   * quote was clicked): pages back to it when it is near, else fetches it
   * alone (GetMessagesCommand `ids`). Resolves false when the server does
   * not know it or the person may not see it.
   */
  ensureMessage(conversationId: string, messageId: string): Promise<boolean>;
}

export interface HistoryControllerOptions {
  communicator: Communicator;
  store: Store;
  directory: Pick<DirectoryController, 'loadOlder'>;
}

/** How far back `ensureMessage` pages the history in to reach a message before it fetches the message alone. */
export const ENSURE_PAGE_BACK_LIMIT = 1000;

/**
 * Paging back and finding one message. Paging back keeps the stored range
 * gap-free (docs/CLIENT.md, "Sync positions"), so `ensureMessage` pages in
 * the history down to a message near the top, and stores a far one alone
 * (the list then shows it apart until the history between is paged in).
 */
export class HistoryController implements HistoryActions {
  constructor(private readonly options: HistoryControllerOptions) {}

  async loadOlder(conversationId: string): Promise<boolean> {
    const { store, directory } = this.options;
    return (await store.loadStoredHistory(conversationId)) > 0 || directory.loadOlder(conversationId);
  }

  async ensureMessage(conversationId: string, messageId: string): Promise<boolean> {
    const { store, communicator } = this.options;
    if (holds(store, conversationId, messageId)) return true;
    const page = await communicator.request('GetMessagesCommand', { conversationId, ids: [messageId] });
    const found: Entry | undefined = Object.values(page.messages).find((e) => e.id === messageId && e.conversationId === conversationId);
    if (!found || found.kind !== 'message') return false;
    // Near the history in memory: page it in down to the message, so no hole shows.
    while (!holds(store, conversationId, messageId) && store.syncPosition(conversationId).oldestSeq - found.seq <= ENSURE_PAGE_BACK_LIMIT) {
      const oldest = store.syncPosition(conversationId).oldestSeq;
      const more = await this.loadOlder(conversationId);
      if (!more && store.syncPosition(conversationId).oldestSeq === oldest) break;
    }
    if (!holds(store, conversationId, messageId)) store.addEntries([found]);
    return holds(store, conversationId, messageId);
  }
}

function holds(store: Store, conversationId: string, messageId: string): boolean {
  const stored = store.find('messages', messageId);
  return stored !== undefined && stored.conversationId === conversationId && stored.kind === 'message';
}

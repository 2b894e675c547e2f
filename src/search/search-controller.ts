import type { Dispatch } from '../dispatch/dispatch';
import { SEARCH_PAGE_DEFAULT, type ClientCommandInputs, type Message, type ServerMessages } from '../protocol';
import type { Store } from '../store/store';
import { LocalSearchIndex, buildInSlices, newestFirst } from './local-index';

/** Asks the server (Communicator.request('SearchMessagesCommand', ...)); rejects offline. */
export type ServerSearch = (payload: Omit<ClientCommandInputs['SearchMessagesCommand'], 'requestId'>) => Promise<ServerMessages['SearchMessagesResponse']>;

export interface SearchResults {
  query: string;
  messages: Message[];
  /** 'local': from the device's index only (the server's answer may follow); 'merged': with the server's; 'offline': the server could not be asked. */
  source: 'local' | 'merged' | 'offline';
}

/** What the views may ask of search. */
export interface SearchActions {
  search(query: string, scope: { conversationId?: string }, onResults: (results: SearchResults) => void, limit?: number): Promise<SearchResults>;
}

export interface SearchControllerOptions {
  store: Pick<Store, 'find' | 'findAll'>;
  dispatch: Pick<Dispatch, 'subscribe'>;
  server: ServerSearch;
}

/**
 * Search for the views (docs/CLIENT.md, "Search"): results first from the
 * local index, so search works offline, then merged with the server's
 * (deduplicated by id, the server's copy kept: it is the message as it is
 * now; newest first). The local index follows the store: every change of
 * messages (arrived, edited, deleted, read from disk) is applied to it.
 */
export class SearchController implements SearchActions {
  readonly index = new LocalSearchIndex();
  private readonly stops: (() => void)[] = [];
  private stopped = false;
  private built: Promise<void> | null = null;

  constructor(private readonly options: SearchControllerOptions) {
    this.stops.push(options.dispatch.subscribe('store:change:messages', ({ messages }) => this.apply(messages)));
  }

  /**
   * Indexes what the store holds, once, in idle slices: started by the first
   * search (the store is loaded by then; changes since construction were
   * applied as they came). Resolves when done.
   */
  get ready(): Promise<void> {
    this.built ??= buildInSlices(this.index, this.options.store.findAll('messages'), () => this.stopped);
    return this.built;
  }

  stop(): void {
    this.stopped = true;
    for (const stop of this.stops.splice(0)) stop();
  }

  /**
   * Calls `onResults` with the local results at once and, when the server
   * answers, with the merged ones (or once more with source 'offline').
   * Resolves with the last results given.
   */
  async search(query: string, scope: { conversationId?: string }, onResults: (results: SearchResults) => void, limit = SEARCH_PAGE_DEFAULT): Promise<SearchResults> {
    await this.ready;
    const local = this.localMessages(query, scope.conversationId, limit);
    onResults({ query, messages: local, source: 'local' });
    let results: SearchResults;
    try {
      const answer = await this.options.server({ query, limit, ...(scope.conversationId ? { conversationId: scope.conversationId } : {}) });
      results = { query, messages: mergeResults(local, answer.messages, limit), source: 'merged' };
    } catch {
      results = { query, messages: local, source: 'offline' };
    }
    onResults(results);
    return results;
  }

  private localMessages(query: string, conversationId: string | undefined, limit: number): Message[] {
    const out: Message[] = [];
    for (const hit of this.index.search(query, { ...(conversationId ? { conversationId } : {}), limit })) {
      const stored = this.options.store.find('messages', hit.id);
      if (stored?.kind === 'message') out.push(stored);
    }
    return out;
  }

  private apply(ids: readonly string[]): void {
    for (const id of ids) {
      const entry = this.options.store.find('messages', id);
      if (entry) this.index.put(entry);
      else this.index.remove(id);
    }
  }
}

/** Both lists as one, each message once (the server's copy), newest first, at most `limit`. */
export function mergeResults(local: readonly Message[], server: readonly Message[], limit: number): Message[] {
  const byId = new Map<string, Message>();
  for (const m of local) byId.set(m.id, m);
  for (const m of server) {
    const mine = byId.get(m.id);
    // The higher revision is the message as it is now (docs/PROTOCOL.md section 7).
    if (!mine || m.revision >= mine.revision) byId.set(m.id, m);
  }
  return [...byId.values()].filter((m) => m.deletedAt === null).sort(newestFirst).slice(0, limit);
}

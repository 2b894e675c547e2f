import type { Communicator } from '../communicator/communicator';
import type { Contact, Conversation } from '../protocol';

/** One page of a list reply: the items keyed by id, and whether (and after which id) more follow. */
interface ListPage<T> {
  items: Record<string, T>;
  hasMore?: boolean | undefined;
  lastId?: string | undefined;
}

/**
 * Follows a paged list to its end (the server cuts the contacts and
 * conversations lists by bytes, docs/PROTOCOL.md, "Reply sizes"): asks
 * again with `afterId: lastId` while `hasMore`, and merges the pages. A page
 * whose `lastId` does not move past the previous one ends it, so a server
 * that answers oddly cannot make the client ask forever for the same page.
 */
async function allPages<T>(fetchPage: (afterId: string | undefined) => Promise<ListPage<T>>): Promise<Record<string, T>> {
  const all: Record<string, T> = {};
  let afterId: string | undefined;
  for (;;) {
    const page = await fetchPage(afterId);
    Object.assign(all, page.items);
    if (!page.hasMore || page.lastId === undefined || (afterId !== undefined && page.lastId <= afterId)) return all;
    afterId = page.lastId;
  }
}

/** Every contact (or those among `ids`), over as many pages as the server cuts the list into. */
export function fetchContacts(communicator: Communicator, ids?: string[]): Promise<Record<string, Contact>> {
  return allPages(async (afterId) => {
    const r = await communicator.request('GetContactsCommand', { ...(ids ? { ids } : {}), ...(afterId ? { afterId } : {}) });
    return { items: r.contacts, hasMore: r.hasMore, lastId: r.lastId };
  });
}

/** Every conversation (or those among `ids`), over as many pages as the server cuts the list into. */
export function fetchConversations(communicator: Communicator, ids?: string[]): Promise<Record<string, Conversation>> {
  return allPages(async (afterId) => {
    const r = await communicator.request('GetConversationsCommand', { ...(ids ? { ids } : {}), ...(afterId ? { afterId } : {}) });
    return { items: r.conversations, hasMore: r.hasMore, lastId: r.lastId };
  });
}

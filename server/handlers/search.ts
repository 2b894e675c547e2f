import { MAX_REPLY_BYTES, REPLY_ENVELOPE_BYTES, SEARCH_PAGE_DEFAULT, queryWords, type ClientCommands, type Message } from '../../src/protocol/index';
import type { Connection } from '../gateway/connection';
import { requireMember } from './access';
import { userIdOf, type Reply, type Services } from './context';

/** What searching uses. */
export type SearchServices = Pick<Services, 'config' | 'storage' | 'userQuotas'>;

/**
 * SearchMessagesCommand (docs/PROTOCOL.md section 10). The schema has
 * checked the query (1-200 code points, at least one letter or digit), the
 * limit (at most 100) and that beforeSeq comes with a conversation. A search
 * runs synchronously on the main thread's connection, so its work is
 * bounded three ways: per user per minute (userQuotas), by the matches one
 * query examines (searchScanLimit), and by the page (limit and
 * MAX_REPLY_BYTES: a page of long bodies ends early with hasMore).
 */
export function searchMessages(conn: Connection, p: ClientCommands['SearchMessagesCommand'], s: SearchServices): Reply {
  const userId = userIdOf(conn);
  s.userQuotas.requireSearch(userId);
  if (p.conversationId !== undefined) requireMember(p.conversationId, userId, s);
  const limit = p.limit ?? SEARCH_PAGE_DEFAULT;
  const found = s.storage.search.search({
    userId,
    words: queryWords(p.query),
    ...(p.conversationId !== undefined ? { conversationId: p.conversationId } : {}),
    ...(p.beforeSeq !== undefined ? { beforeSeq: p.beforeSeq } : {}),
    limit,
    scanLimit: s.config.limits.searchScanLimit,
  });
  const messages: Message[] = [];
  let bytes = Buffer.byteLength(JSON.stringify(p.query)) * 2;
  let cut = false;
  for (const message of found.messages) {
    const cost = Buffer.byteLength(JSON.stringify(message)) + 1;
    // The first message is always taken (each fits many times over, src/protocol/limits.ts), so a page makes progress.
    if (messages.length > 0 && bytes + cost > MAX_REPLY_BYTES - REPLY_ENVELOPE_BYTES) {
      cut = true;
      break;
    }
    bytes += cost;
    messages.push(message);
  }
  const payload: Record<string, unknown> = { query: p.query, messages, hasMore: found.hasMore || cut };
  if (p.conversationId !== undefined && (found.hasMore || cut)) {
    // Cut by bytes: the next page starts below the last message sent.
    payload['nextBeforeSeq'] = cut ? messages[messages.length - 1]!.seq : found.nextBeforeSeq;
    if (payload['nextBeforeSeq'] === undefined) payload['hasMore'] = false;
  }
  return { name: 'SearchMessagesResponse', payload };
}

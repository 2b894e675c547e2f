import type { MessageView } from '../core/client-core-api';

type Ordered = Pick<MessageView, 'seq' | 'sentAt' | 'clientMessageId'>;

/**
 * The order of a conversation's rows, defined once: stored messages by seq,
 * then the local echoes that have no seq yet, in the order written (time,
 * then clientMessageId for two in one millisecond). The message collection
 * sorts by it and the list view shows the collection in its order.
 */
export function compareMessages(a: Ordered, b: Ordered): number {
  const sa = a.seq;
  const sb = b.seq;
  if (sa !== null && sb !== null) return sa - sb;
  if (sa !== null) return -1;
  if (sb !== null) return 1;
  return a.sentAt - b.sentAt || (a.clientMessageId < b.clientMessageId ? -1 : a.clientMessageId > b.clientMessageId ? 1 : 0);
}

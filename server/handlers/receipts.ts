import type { ClientCommands } from '../../src/protocol/index';
import type { Connection } from '../gateway/connection';
import { requireMember } from './access';
import { userIdOf, type Reply, type Services } from './context';

/** What receipts use. */
export type ReceiptsServices = Pick<Services, 'storage' | 'sendPath'>;

/**
 * Every member's positions (the `receipts:<id>` resource, docs/PROTOCOL.md
 * section 7a), members only. At most MAX_GROUP_MEMBERS members, each at
 * most RECEIPT_MEMBER_BYTES: the reply stays within MAX_REPLY_BYTES
 * (reply-bytes.test.ts), so it is never paged.
 */
export function getReceipts(conn: Connection, p: ClientCommands['GetReceiptsCommand'], s: Pick<Services, 'storage'>): Reply {
  requireMember(p.conversationId, userIdOf(conn), s);
  const members = s.storage.conversations.receipts(p.conversationId) ?? {};
  return { name: 'ReceiptsResponse', payload: { conversationId: p.conversationId, members } };
}

/**
 * Delivered and read positions. They only move forward and never past the
 * conversation's latestSeq; read implies delivered. The response carries
 * the position after the command, which may be higher than asked. A receipt
 * that moves something is written by the message writer, in the batch
 * transaction of its turn's sends (after them), and answered by the send
 * path only after COMMIT; one that moves nothing is answered at once,
 * without a write. Members hear of a change after the commit, coalesced
 * with the batch's others, and at most once per receipt interval for each
 * (user, conversation): a member acknowledging every message of a busy
 * group, or spamming rising seqs, costs every other member one
 * notification per interval, not one per receipt.
 */
export function ackMessages(conn: Connection, p: ClientCommands['AckMessagesCommand'], s: ReceiptsServices): Reply | void {
  const unchanged = advance(conn, p, false, s);
  if (unchanged) return { name: 'AckMessagesResponse', payload: { conversationId: p.conversationId, seq: unchanged.deliveredSeq } };
}

export function markRead(conn: Connection, p: ClientCommands['MarkReadCommand'], s: ReceiptsServices): Reply | void {
  const unchanged = advance(conn, p, true, s);
  if (unchanged) return { name: 'MarkReadResponse', payload: { conversationId: p.conversationId, seq: unchanged.readSeq } };
}

/**
 * Membership is checked here, before queuing (FORBIDDEN / NOT_FOUND at
 * once). A receipt the cached positions already cover is answered at once
 * with them (returned here); any other goes to the send path, which answers
 * it after its commit and tells the members (send-path.ts).
 */
function advance(conn: Connection, p: { conversationId: string; seq: number; requestId?: string }, read: boolean, s: ReceiptsServices) {
  const userId = userIdOf(conn);
  requireMember(p.conversationId, userId, s);
  const unchanged = s.storage.conversations.unchangedBy(p.conversationId, userId, p.seq, read);
  if (!unchanged) s.sendPath.receipt(conn, { conversationId: p.conversationId, userId, seq: p.seq, read }, p.requestId);
  return unchanged;
}

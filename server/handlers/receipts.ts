import type { ClientCommands } from '../../src/protocol/index';
import type { Connection } from '../gateway/connection';
import { requireMember } from './access';
import { userIdOf, type Reply, type Services } from './context';

/**
 * Delivered and read positions. They only move forward and never past the
 * conversation's latestSeq; read implies delivered. The response carries
 * the position after the command, which may be higher than asked. A receipt
 * that moves something is written by the message writer, in the batch
 * transaction of its turn's sends (after them), and answered only after
 * COMMIT; one that moves nothing is answered at once, without a write.
 * Members hear of a change after the commit, coalesced with the turn's
 * others, and at most once per receipt interval for each (user,
 * conversation): a member acknowledging every message of a busy group, or
 * spamming rising seqs, costs every other member one notification per
 * interval, not one per receipt.
 */
export async function ackMessages(conn: Connection, p: ClientCommands['AckMessagesCommand'], s: Services): Promise<Reply> {
  const after = await advance(conn, p, false, s);
  return { name: 'AckMessagesResponse', payload: { conversationId: p.conversationId, seq: after.deliveredSeq } };
}

export async function markRead(conn: Connection, p: ClientCommands['MarkReadCommand'], s: Services): Promise<Reply> {
  const after = await advance(conn, p, true, s);
  return { name: 'MarkReadResponse', payload: { conversationId: p.conversationId, seq: after.readSeq } };
}

/**
 * Moves the caller's position forward (read also moves delivered) and tells
 * the members if it changed. Membership is checked here, before queuing
 * (FORBIDDEN / NOT_FOUND at once); the entry cache takes the new positions
 * in the writer's onCommitted (app.ts), before this resumes.
 */
async function advance(conn: Connection, p: { conversationId: string; seq: number }, read: boolean, s: Services) {
  const userId = userIdOf(conn);
  requireMember(p.conversationId, userId, s);
  const unchanged = s.storage.conversations.unchangedBy(p.conversationId, userId, p.seq, read);
  if (unchanged) return unchanged;
  const after = await s.writer.receipt({ conversationId: p.conversationId, userId, seq: p.seq, read });
  const notify = (): void => s.conversationNotifier.changed(p.conversationId);
  if (after.changed && s.receiptNotices.admit(`${userId} ${p.conversationId}`, notify)) notify();
  return after;
}

import type { ClientCommands } from '../../src/protocol/index';
import type { Connection } from '../gateway/connection';
import { requireMember } from './access';
import { userIdOf, type Reply, type Services } from './context';

/**
 * Delivered and read positions. They only move forward and never past the
 * conversation's latestSeq; read implies delivered. The response carries
 * the position after the command, which may be higher than asked. Members
 * hear of a change at the end of the turn, coalesced with the turn's others.
 */
export function ackMessages(conn: Connection, p: ClientCommands['AckMessagesCommand'], s: Services): Reply {
  const after = advance(conn, p, false, s);
  return { name: 'AckMessagesResponse', payload: { conversationId: p.conversationId, seq: after.deliveredSeq } };
}

export function markRead(conn: Connection, p: ClientCommands['MarkReadCommand'], s: Services): Reply {
  const after = advance(conn, p, true, s);
  return { name: 'MarkReadResponse', payload: { conversationId: p.conversationId, seq: after.readSeq } };
}

/** Moves the caller's position forward (read also moves delivered) and tells the members if it changed. */
function advance(conn: Connection, p: { conversationId: string; seq: number }, read: boolean, s: Services) {
  const userId = userIdOf(conn);
  requireMember(p.conversationId, userId, s);
  const after = s.storage.conversations.advance(p.conversationId, userId, p.seq, read);
  if (after.changed) s.conversationNotifier.changed(p.conversationId);
  return after;
}

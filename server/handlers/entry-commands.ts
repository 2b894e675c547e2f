import { ProtocolError, type ClientCommands, type EntryCommandName } from '../../src/protocol/index';
import type { Connection } from '../gateway/connection';
import type { EntryRequest } from '../storage/message-writer';
import { requireMember } from './access';
import { userIdOf, type Reply, type Services } from './context';
import { ANSWER_OF, ENTRY_KIND_OF, encodeEntryAnswer } from './entry-answers';

/** What the writing commands use. */
export type EntryServices = Pick<Services, 'config' | 'storage' | 'sendPath' | 'userQuotas'>;

/**
 * The first seq of a conversation a member may see: their joinedSeq (1 for
 * its founders; docs/PROTOCOL.md section 8). Read from the cached entry.
 */
export function floorOf(conversationId: string, userId: string, s: Pick<Services, 'storage'>): number {
  return s.storage.conversations.get(conversationId)?.members[userId]?.joinedSeq ?? 1;
}

/**
 * What every writing command does before its commit: a member's command is
 * counted against their quota and queued on the send path, which answers it
 * after COMMIT (its resend is recognised there, in the transaction). A
 * non-member is refused (NOT_FOUND, FORBIDDEN) unless this is the resend of
 * an entry they stored in a conversation they still belong to (the same
 * clientMessageId sent to another conversation), which is answered here
 * with the original, as it is now.
 */
export function acceptEntry(conn: Connection, command: EntryCommandName, p: { conversationId: string; clientMessageId: string; requestId?: string }, s: EntryServices, request: EntryRequest): Reply | void {
  const senderId = userIdOf(conn);
  if (!s.storage.conversations.isMember(p.conversationId, senderId)) {
    const earlier = s.storage.messages.findByClientId(senderId, p.clientMessageId);
    if (earlier && s.storage.conversations.isMember(earlier.conversationId, senderId)) {
      if (earlier.kind !== ENTRY_KIND_OF[command]) {
        throw new ProtocolError('CONFLICT', `clientMessageId ${JSON.stringify(p.clientMessageId)} was already used for a ${earlier.kind} entry; make a new one for each command`);
      }
      const target = 'target' in earlier ? earlier.target : null;
      const answer = { entry: earlier, target, duplicate: true, error: null };
      return { name: ANSWER_OF[command], payload: answer, encode: (requestId) => encodeEntryAnswer(command, p.clientMessageId, answer, requestId) };
    }
    requireMember(p.conversationId, senderId, s);
  }
  s.userQuotas.requireSend(senderId);
  s.sendPath.send(conn, request, command, p.requestId);
}

/** EditMessageCommand: only the message's sender; a deleted message is GONE (checked in the transaction). */
export function editMessage(conn: Connection, p: ClientCommands['EditMessageCommand'], s: EntryServices): Reply | void {
  return acceptEntry(conn, 'EditMessageCommand', p, s, { kind: 'edit', ...base(conn, p), targetId: p.targetId, body: p.body.trim() });
}

/** DeleteMessageCommand, "delete for everyone": only the sender; the body and reactions are erased in the database. */
export function deleteMessage(conn: Connection, p: ClientCommands['DeleteMessageCommand'], s: EntryServices): Reply | void {
  return acceptEntry(conn, 'DeleteMessageCommand', p, s, { kind: 'delete', ...base(conn, p), targetId: p.targetId });
}

/** ReactCommand: any member; at most 20 different emoji on a message; a reaction that changes nothing appends nothing. */
export function react(conn: Connection, p: ClientCommands['ReactCommand'], s: EntryServices): Reply | void {
  return acceptEntry(conn, 'ReactCommand', p, s, { kind: 'reaction', ...base(conn, p), targetId: p.targetId, emoji: p.emoji, on: p.on });
}

/** The fields every entry request has. */
export function base(conn: Connection, p: { conversationId: string; clientMessageId: string }): { conversationId: string; senderId: string; clientMessageId: string } {
  return { conversationId: p.conversationId, senderId: userIdOf(conn), clientMessageId: p.clientMessageId };
}

import { ProtocolError } from '../../src/protocol/index';
import type { Services } from './context';

/**
 * The one authorization rule for a conversation: it must exist (else
 * NOT_FOUND) and the user must be a member (else FORBIDDEN). Ids are 128-bit
 * random, so learning that an id exists requires already knowing it, and
 * nothing of the conversation is ever shown to a non-member.
 */
export function requireMember(conversationId: string, userId: string, s: Pick<Services, 'storage'>): void {
  if (s.storage.conversations.isMember(conversationId, userId)) return;
  if (!s.storage.conversations.exists(conversationId)) {
    throw new ProtocolError('NOT_FOUND', `no conversation ${conversationId}`);
  }
  throw new ProtocolError('FORBIDDEN', `you are not a member of conversation ${conversationId}`);
}

/** Tells every member's `conversations` subscribers that a conversation changed, with the new entry inline, now. */
export function notifyConversationChanged(conversationId: string, s: Pick<Services, 'conversationNotifier'>): void {
  s.conversationNotifier.notify([conversationId]);
}

/**
 * Whether one user may reach another (docs/PROTOCOL.md section 12): make a
 * conversation with them, add them to a group. They must be ACCEPTED
 * contacts and neither may have blocked the other; else FORBIDDEN. The
 * sentence never says who blocked whom.
 */
export function requireReachable(userId: string, otherId: string, s: Pick<Services, 'storage'>): void {
  const contacts = s.storage.contacts;
  if (!contacts.isContact(userId, otherId)) throw new ProtocolError('FORBIDDEN', `member ${otherId} is not one of your contacts`);
  if (contacts.blockedEitherWay(userId, otherId)) throw new ProtocolError('FORBIDDEN', `member ${otherId} cannot be reached by you`);
}

/**
 * For a member of the conversation: true unless it is a direct one whose two
 * members may not reach each other any more (no longer contacts, or a
 * block either way), where nothing new may be written. Groups are not
 * affected: a block does not remove anyone from a group.
 */
export function mayWriteIn(conversationId: string, userId: string, s: Pick<Services, 'storage'>): boolean {
  const entry = s.storage.conversations.get(conversationId);
  if (!entry || entry.kind !== 'direct') return true;
  const other = entry.memberIds.find((id) => id !== userId);
  return other === undefined || s.storage.contacts.canReach(userId, other);
}

/** FORBIDDEN where `mayWriteIn` says no. */
export function requireWritable(conversationId: string, userId: string, s: Pick<Services, 'storage'>): void {
  if (!mayWriteIn(conversationId, userId, s)) {
    throw new ProtocolError('FORBIDDEN', `conversation ${conversationId} takes no new messages: you and the other member are not contacts now, or one of you blocked the other`);
  }
}

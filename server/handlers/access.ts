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

import { ProtocolError } from '../../src/protocol/index';
import type { Services } from './context';

/**
 * The one authorization rule for a conversation: it must exist (else
 * NOT_FOUND) and the user must be a member (else FORBIDDEN). Ids are 128-bit
 * random, so learning that an id exists requires already knowing it, and
 * nothing of the conversation is ever shown to a non-member.
 */
export function requireMember(conversationId: string, userId: string, s: Services): void {
  if (s.storage.conversations.isMember(conversationId, userId)) return;
  if (!s.storage.conversations.exists(conversationId)) {
    throw new ProtocolError('NOT_FOUND', `no conversation ${conversationId}`);
  }
  throw new ProtocolError('FORBIDDEN', `you are not a member of conversation ${conversationId}`);
}

/**
 * Tells every member's `conversations` subscribers that a conversation
 * changed, with the new entry inline, now (together with anything else
 * marked changed this turn). Use `s.conversationNotifier.changed(id)` where
 * waiting for the end of the turn is fine: it coalesces.
 */
export function notifyConversationChanged(conversationId: string, s: Services): void {
  s.conversationNotifier.changed(conversationId);
  s.conversationNotifier.flush();
}

import { BodySchema, IdSchema, ProtocolError, type Conversation } from '../protocol';
import type { Store } from '../store/store';
import { REFUSAL_SENTENCES, resolveMessageId } from './outbox-wire';

/**
 * What the outbox's actions refuse at once, with a coded error, because the
 * store already knows the server would: a bad body or id, a change of
 * someone else's message or of a deleted one, anything in a conversation I
 * was removed from, a group's change in a direct conversation. The server
 * checks all of it again.
 */

/**
 * The id to queue a change of a message under: a message of mine still in
 * the outbox keeps `local:<cmid>`; one acknowledged since gets its server id.
 */
export function changeableMessage(store: Store, self: string, conversationId: string, messageId: string, command: string, ownOnly: boolean): string {
  memberOnly(store, self, conversationId, command);
  let targetId = messageId;
  if (messageId.startsWith('local:')) {
    if (store.find('outbox', messageId.slice('local:'.length))?.kind === 'send') return messageId;
    const resolved = resolveMessageId(store, conversationId, self, messageId);
    if (resolved === null) throw new ProtocolError('NOT_FOUND', `message ${messageId} is neither waiting to be sent nor stored`, command);
    targetId = resolved;
  } else checkId(messageId, 'targetId', command);
  const stored = store.find('messages', targetId);
  if (stored && (stored.kind !== 'message' || stored.conversationId !== conversationId)) throw new ProtocolError('NOT_FOUND', `${targetId} is not a message of conversation ${conversationId}`, command);
  if (stored?.kind === 'message' && stored.deletedAt !== null) throw new ProtocolError('GONE', `message ${targetId} was deleted`, command);
  if (ownOnly && stored && stored.senderId !== self) throw new ProtocolError('FORBIDDEN', `message ${targetId} is not yours to change`, command);
  return targetId;
}

/** The conversation, if known; refused when I am no longer a member of it. */
export function memberOnly(store: Store, self: string, conversationId: string, command: string): Conversation | undefined {
  const conversation = store.find('conversations', conversationId);
  if (conversation && !conversation.memberIds.includes(self)) throw new ProtocolError('FORBIDDEN', REFUSAL_SENTENCES.FORBIDDEN, command);
  return conversation;
}

export function groupOnly(store: Store, self: string, conversationId: string, command: string): void {
  const conversation = memberOnly(store, self, conversationId, command);
  if (conversation && conversation.kind !== 'group') throw new ProtocolError('INVALID_PAYLOAD', `conversation ${conversationId} is a direct conversation; only a group changes its title or members`, command);
}

export function checkBody(body: string, command: string): void {
  const checked = BodySchema.safeParse(body);
  if (!checked.success) throw new ProtocolError('INVALID_PAYLOAD', `body: ${checked.error.issues[0]?.message ?? 'invalid'}`, command);
}

export function checkId(id: string, field: string, command: string): void {
  if (!IdSchema.safeParse(id).success) throw new ProtocolError('INVALID_PAYLOAD', `${field}: "${id.slice(0, 80)}" is not an id (1-64 characters)`, command);
}

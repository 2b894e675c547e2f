import type { ClientCommands } from '../../src/protocol/index';
import type { Connection } from '../gateway/connection';
import { messagesKey } from '../hub/hub';
import { requireMember, requireWritable } from './access';
import { userIdOf, type Services } from './context';

/** What typing notifications use. */
export type TypingServices = Pick<Services, 'hub' | 'storage' | 'typingGate'>;

/**
 * Typing is relayed, never stored, and has no response (errors still come
 * back). The typing gate decides what is relayed and when (coalesced per
 * user and conversation, typing-gate.ts): each notice reaches every
 * subscriber of the conversation.
 */
export function typing(conn: Connection, p: ClientCommands['TypingCommand'], s: TypingServices): void {
  const userId = userIdOf(conn);
  requireMember(p.conversationId, userId, s);
  // Nobody is shown typing where they could not send.
  requireWritable(p.conversationId, userId, s);
  const key = messagesKey(p.conversationId);
  s.typingGate.offer(userId, p.conversationId, p.typing, (typing) =>
    s.hub.broadcast(key, 'TypingNotification', { conversationId: p.conversationId, userId, typing }, (peer) => peer.userId === userId),
  );
}

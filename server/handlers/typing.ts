import type { ClientCommands } from '../../src/protocol/index';
import type { Connection } from '../gateway/connection';
import { messagesKey } from '../hub/hub';
import { requireMember } from './access';
import { userIdOf, type Services } from './context';

/** Typing is relayed, never stored, and has no response (errors still come back). */
export function typing(conn: Connection, p: ClientCommands['TypingCommand'], s: Services): void {
  const userId = userIdOf(conn);
  requireMember(p.conversationId, userId, s);
  // Past the socket's typing rate the notice is dropped, unanswered like any typing notice.
  if (s.config.typingPerSecond > 0 && conn.typingBucket.take() !== 'ok') return;
  s.hub.broadcast(
    messagesKey(p.conversationId),
    'TypingNotification',
    { conversationId: p.conversationId, userId, typing: p.typing },
    (peer) => peer.userId === userId,
  );
}

import type { ClientCommands, Message } from '../../src/protocol/index';
import type { Connection } from '../gateway/connection';
import { mayWriteIn, requireMember, requireWritable } from './access';
import { userIdOf, type Reply, type Services } from './context';
import { fillPage, keyedReply } from './reply-pages';

/** What reading and sending messages use. */
export type MessagesServices = Pick<Services, 'config' | 'storage' | 'sendPath' | 'userQuotas'>;

/**
 * Reading pages of messages and sending (the durable, idempotent write path).
 * A page holds at most `limit` messages and at most MAX_REPLY_BYTES: a
 * page of long, escaped bodies ends early with `hasMore` (with `beforeSeq`
 * it keeps the newest, those nearest `beforeSeq`), and the client follows
 * `hasMore` for the rest.
 */
export function getMessages(conn: Connection, p: ClientCommands['GetMessagesCommand'], s: MessagesServices): Reply {
  requireMember(p.conversationId, userIdOf(conn), s);
  const { messagesPageDefault, messagesPageMax } = s.config.limits;
  const limit = Math.min(p.limit ?? messagesPageDefault, messagesPageMax);
  const repo = s.storage.messages;
  const backwards = p.beforeSeq !== undefined && p.afterSeq === undefined;
  // One row past the page: if the page takes `limit` and another exists, it is cut (hasMore).
  const rows =
    p.beforeSeq !== undefined && p.afterSeq !== undefined
      ? repo.between(p.conversationId, p.afterSeq, p.beforeSeq, limit + 1)
      : p.beforeSeq !== undefined
        ? repo.before(p.conversationId, p.beforeSeq, limit + 1)
        : repo.after(p.conversationId, p.afterSeq ?? 0, limit + 1);
  const page = fillPage(rows, messageId, limit);
  // Filled from the end the page is anchored at, then put in ascending seq order.
  if (backwards) {
    page.items.reverse();
    page.json.reverse();
  }
  return keyedReply('MessagesResponse', 'messages', page, messageId, {
    conversationId: p.conversationId,
    latestSeq: s.storage.conversations.latestSeq(p.conversationId) ?? 0,
    hasMore: page.cut,
  });
}

const messageId = (m: Message): string => m.id;

/**
 * Checks a send and hands it to the send path, which answers it after its
 * commit (send-path.ts). A non-member's resend of a message it once stored
 * is answered here, at once, with the original.
 */
export function sendMessage(conn: Connection, p: ClientCommands['SendMessageCommand'], s: MessagesServices): Reply | void {
  const senderId = userIdOf(conn);
  // Membership comes from the cached conversation entry. A member's resend is
  // recognised by the writer's insert (ON CONFLICT DO NOTHING, then the
  // original is read). A non-member's is looked up here, before refusing, so
  // a retry always gets its original back.
  // The same for a direct conversation the two may no longer write in (a
  // removed contact, a block): a retry of what was stored before still gets it back.
  const earlier =
    s.storage.conversations.isMember(p.conversationId, senderId) && mayWriteIn(p.conversationId, senderId, s)
      ? undefined
      : s.storage.messages.findByClientId(senderId, p.clientMessageId);
  if (!earlier) requireMember(p.conversationId, senderId, s);
  if (!earlier) requireWritable(p.conversationId, senderId, s);
  if (!earlier) s.userQuotas.requireSend(senderId);
  // The body was checked once, against the protocol's BodySchema, when the gateway parsed the command.
  if (earlier) return { name: 'SendMessageResponse', payload: { clientMessageId: p.clientMessageId, message: earlier, duplicate: true } };
  s.sendPath.send(conn, { conversationId: p.conversationId, senderId, clientMessageId: p.clientMessageId, body: p.body.trim() }, p.requestId);
}

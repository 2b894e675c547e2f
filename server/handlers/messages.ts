import type { ClientCommands, Message } from '../../src/protocol/index';
import type { Connection } from '../gateway/connection';
import { encodeSendResponse } from '../hub/message-json';
import { requireMember } from './access';
import { userIdOf, type Reply, type Services } from './context';
import { fillPage, keyedReply } from './reply-pages';

/**
 * Reading pages of messages and sending (the durable, idempotent write path).
 * A page holds at most `limit` messages and at most MAX_REPLY_BYTES: a
 * page of long, escaped bodies ends early with `hasMore` (with `beforeSeq`
 * it keeps the newest, those nearest `beforeSeq`), and the client follows
 * `hasMore` for the rest.
 */
export function getMessages(conn: Connection, p: ClientCommands['GetMessagesCommand'], s: Services): Reply {
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

export async function sendMessage(conn: Connection, p: ClientCommands['SendMessageCommand'], s: Services): Promise<Reply> {
  const started = process.hrtime.bigint();
  const senderId = userIdOf(conn);
  // Membership comes from the cached conversation entry. A member's resend is
  // recognised by the writer's insert (ON CONFLICT DO NOTHING, then the
  // original is read). A non-member's is looked up here, before refusing, so
  // a retry always gets its original back.
  const earlier = s.storage.conversations.isMember(p.conversationId, senderId)
    ? undefined
    : s.storage.messages.findByClientId(senderId, p.clientMessageId);
  if (!earlier) requireMember(p.conversationId, senderId, s);
  if (!earlier) s.userQuotas.requireSend(senderId);
  // The body was checked once, against the protocol's BodySchema, when the gateway parsed the command.
  const result = earlier ? { message: earlier, duplicate: true } : await submit(conn, senderId, p, s);
  s.metrics.ackLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
  const { message, duplicate } = result;
  return {
    name: 'SendMessageResponse',
    payload: { clientMessageId: p.clientMessageId, message, duplicate },
    // The message's JSON is made once, here, and spliced into its messages notification too.
    encode: (requestId) => encodeSendResponse(p.clientMessageId, message, duplicate, requestId),
  };
}

/**
 * Through the writer, telling the commit's notification which socket sent
 * the message (registered before the write, taken by the notification): the
 * sender's ack carries it, so its own `messages:` notification is left out.
 */
async function submit(conn: Connection, senderId: string, p: ClientCommands['SendMessageCommand'], s: Services) {
  s.sendOrigins.expect(senderId, p.clientMessageId, conn);
  try {
    const result = await s.writer.submit({ conversationId: p.conversationId, senderId, clientMessageId: p.clientMessageId, body: p.body.trim() });
    // A duplicate created nothing, so no notification takes the entry.
    if (result.duplicate) s.sendOrigins.forget(senderId, p.clientMessageId, conn);
    // The ack, written next, stays in the corked socket until this commit's notifications
    // join it a turn later (app.ts onCommitted): one write, nothing reordered.
    s.hub.hold(conn);
    return result;
  } catch (error) {
    s.sendOrigins.forget(senderId, p.clientMessageId, conn);
    throw error;
  }
}

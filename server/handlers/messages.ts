import { ProtocolError, type ClientCommands, type Entry } from '../../src/protocol/index';
import type { Connection } from '../gateway/connection';
import { requireMember } from './access';
import { userIdOf, type Reply, type Services } from './context';
import { acceptEntry, floorOf } from './entry-commands';
import { fillPage, keyedReply } from './reply-pages';

/** What reading and sending messages use. */
export type MessagesServices = Pick<Services, 'config' | 'storage' | 'sendPath' | 'userQuotas'>;

/**
 * Reading pages of entries and sending (the durable, idempotent write path).
 * A page holds at most `limit` entries and at most MAX_REPLY_BYTES: a
 * page of long, escaped bodies ends early with `hasMore` (with `beforeSeq`
 * it keeps the newest, those nearest `beforeSeq`), and the client follows
 * `hasMore` for the rest. Every read serves only what the caller may see:
 * nothing before the seq they joined at (docs/PROTOCOL.md section 8).
 */
export function getMessages(conn: Connection, p: ClientCommands['GetMessagesCommand'], s: MessagesServices): Reply {
  const userId = userIdOf(conn);
  requireMember(p.conversationId, userId, s);
  const floor = floorOf(p.conversationId, userId, s);
  const repo = s.storage.messages;
  const rest = { conversationId: p.conversationId, latestSeq: s.storage.conversations.latestSeq(p.conversationId) ?? 0 };
  if (p.ids !== undefined) {
    // At most MAX_MESSAGE_IDS (the schema): each a lookup by id; those of other conversations or before the floor are left out.
    const page = fillPage(repo.byIds(p.conversationId, p.ids, floor), entryId);
    return keyedReply('MessagesResponse', 'messages', page, entryId, { ...rest, hasMore: page.cut });
  }
  const { messagesPageDefault, messagesPageMax } = s.config.limits;
  const limit = Math.min(p.limit ?? messagesPageDefault, messagesPageMax);
  const backwards = p.beforeSeq !== undefined && p.afterSeq === undefined;
  // One row past the page: if the page takes `limit` and another exists, it is cut (hasMore).
  const rows =
    p.beforeSeq !== undefined && p.afterSeq !== undefined
      ? repo.between(p.conversationId, p.afterSeq, p.beforeSeq, limit + 1, floor)
      : p.beforeSeq !== undefined
        ? repo.before(p.conversationId, p.beforeSeq, limit + 1, floor)
        : repo.after(p.conversationId, p.afterSeq ?? 0, limit + 1, floor);
  const page = fillPage(rows, entryId, limit);
  // Filled from the end the page is anchored at, then put in ascending seq order.
  if (backwards) {
    page.items.reverse();
    page.json.reverse();
  }
  return keyedReply('MessagesResponse', 'messages', page, entryId, { ...rest, hasMore: page.cut });
}

const entryId = (e: Entry): string => e.id;

/**
 * Checks a send and hands it to the send path, which answers it after its
 * commit (send-path.ts). A reply's message is checked by the writer, in
 * its transaction (it must be one of this conversation the sender may see).
 */
export function sendMessage(conn: Connection, p: ClientCommands['SendMessageCommand'], s: MessagesServices): Reply | void {
  if (p.attachments !== undefined && p.attachments.length > 0) {
    // Uploads do not exist yet: no id can name one.
    throw new ProtocolError('NOT_FOUND', `attachments: no such upload ${p.attachments[0]}`);
  }
  const senderId = userIdOf(conn);
  // The body was checked once, against the protocol's schema, when the gateway parsed the command.
  return acceptEntry(conn, 'SendMessageCommand', p, s, {
    conversationId: p.conversationId,
    senderId,
    clientMessageId: p.clientMessageId,
    body: p.body.trim(),
    replyTo: p.replyTo ?? null,
  });
}

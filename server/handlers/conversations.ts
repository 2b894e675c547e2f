import { ProtocolError, type ClientCommands, type Conversation } from '../../src/protocol/index';
import type { Connection } from '../gateway/connection';
import { conversationsKey } from '../hub/hub';
import { newId } from '../storage/ids';
import { notifyConversationChanged } from './access';
import { userIdOf, type Reply, type Services } from './context';
import { LIST_PAGE_ITEMS, fillPage, keyedReply, listRest, wantedAfter } from './reply-pages';

/**
 * Reading and creating conversations. One other member makes a direct
 * conversation, unique per pair; two or more make a group, titled by the
 * creator or else by its members' names. Every member must be the creator's
 * contact. The list is served in pages of id order, cut by bytes
 * (`afterId`, `hasMore`, `lastId`).
 */
export function getConversations(conn: Connection, p: ClientCommands['GetConversationsCommand'], s: Services): Reply {
  const userId = userIdOf(conn);
  const repo = s.storage.conversations;
  const afterId = p.afterId ?? '';
  const ids = p.ids ? wantedAfter(p.ids, afterId) : repo.idsForUser(userId, afterId, LIST_PAGE_ITEMS + 1);
  const page = fillPage(entriesOf(ids, userId, s), conversationId);
  return keyedReply('ConversationsResponse', 'conversations', page, conversationId, listRest(page, conversationId, s.versions.get(conversationsKey(userId))));
}

const conversationId = (c: Conversation): string => c.id;

/** The user's entries among `ids`, read only as far as the page takes them. */
function* entriesOf(ids: readonly string[], userId: string, s: Services): Generator<Conversation> {
  for (const id of ids) {
    const entry = s.storage.conversations.get(id);
    if (entry && Object.hasOwn(entry.members, userId)) yield entry;
  }
}

export function createConversation(conn: Connection, p: ClientCommands['CreateConversationCommand'], s: Services): Reply {
  const userId = userIdOf(conn);
  const others = [...new Set(p.memberIds)].filter((id) => id !== userId);
  if (others.length === 0) throw new ProtocolError('INVALID_PAYLOAD', 'memberIds: must name at least one other user');
  for (const id of others) {
    if (!s.storage.contacts.isContact(userId, id)) throw new ProtocolError('FORBIDDEN', `member ${id} is not one of your contacts`);
  }
  const memberIds = [userId, ...others];
  let id: string | undefined;
  if (others.length === 1) {
    const directKey = [...memberIds].sort().join('|');
    id = s.storage.conversations.findDirect(directKey);
    if (!id) {
      id = newId('c');
      s.storage.conversations.create({ id, kind: 'direct', title: p.title ?? '', directKey, createdBy: userId, memberIds, now: s.now() });
      notifyConversationChanged(id, s);
    }
  } else {
    id = newId('c');
    const title = p.title || defaultTitle(memberIds, s);
    s.storage.conversations.create({ id, kind: 'group', title, directKey: null, createdBy: userId, memberIds, now: s.now() });
    notifyConversationChanged(id, s);
  }
  return { name: 'CreateConversationResponse', payload: { conversation: s.storage.conversations.get(id)! } };
}

function defaultTitle(memberIds: string[], s: Services): string {
  return memberIds
    .map((id) => s.storage.users.findById(id)?.displayName ?? '')
    .filter(Boolean)
    .join(', ')
    .slice(0, 100);
}

import { ProtocolError, type ClientCommands, type Conversation } from '../../src/protocol/index';
import type { Connection } from '../gateway/connection';
import { conversationsKey } from '../hub/hub';
import { newId } from '../storage/ids';
import { notifyConversationChanged } from './access';
import { userIdOf, type Reply, type Services } from './context';
import { LIST_PAGE_ITEMS, fillPage, keyedReply, listRest, wantedAfter } from './reply-pages';

/** What the conversations commands use. */
export type ConversationsServices = Pick<Services, 'config' | 'conversationNotifier' | 'now' | 'storage' | 'versions'>;

/**
 * Reading and creating conversations. One other member makes a direct
 * conversation, unique per pair; two or more make a group, titled by the
 * creator or else by its members' names. Every member must be the creator's
 * contact. The list is served in pages of id order, cut by bytes
 * (`afterId`, `hasMore`, `lastId`).
 */
export function getConversations(conn: Connection, p: ClientCommands['GetConversationsCommand'], s: ConversationsServices): Reply {
  const userId = userIdOf(conn);
  const repo = s.storage.conversations;
  const afterId = p.afterId ?? '';
  const ids = p.ids ? wantedAfter(p.ids, afterId) : repo.idsForUser(userId, afterId, LIST_PAGE_ITEMS + 1);
  const page = fillPage(entriesOf(ids, userId, s), conversationId);
  return keyedReply('ConversationsResponse', 'conversations', page, conversationId, listRest(page, conversationId, s.versions.get(conversationsKey(userId))));
}

const conversationId = (c: Conversation): string => c.id;

/** The user's entries among `ids`, read only as far as the page takes them. */
function* entriesOf(ids: readonly string[], userId: string, s: ConversationsServices): Generator<Conversation> {
  for (const id of ids) {
    if (!s.storage.conversations.isMember(id, userId)) continue;
    const entry = s.storage.conversations.entryFor(id, userId);
    if (entry) yield entry;
  }
}

export function createConversation(conn: Connection, p: ClientCommands['CreateConversationCommand'], s: ConversationsServices): Reply {
  const userId = userIdOf(conn);
  const others = [...new Set(p.memberIds)].filter((id) => id !== userId);
  if (others.length === 0) throw new ProtocolError('INVALID_PAYLOAD', 'memberIds: must name at least one other user');
  if (others.length > 1) requireRoomForGroup(userId, others.length + 1, s);
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
  return { name: 'CreateConversationResponse', payload: { conversation: s.storage.conversations.entryFor(id, userId)! } };
}

const HOUR_MS = 60 * 60 * 1000;

/**
 * What one user can create: groups of at most maxGroupMembers, and at most
 * groupsPerHour of them in any hour (counted in the database, so every
 * socket of the user and every server process shares the count). Without
 * this one user made 920 groups of 200 in 21 s, and every member's list
 * grew by each. Checked before the members' contact lookups.
 */
function requireRoomForGroup(userId: string, members: number, s: ConversationsServices): void {
  const { maxGroupMembers, groupsPerHour } = s.config.limits;
  if (members > maxGroupMembers) {
    throw new ProtocolError('INVALID_PAYLOAD', `memberIds: a group has at most ${maxGroupMembers} members, this one would have ${members}`);
  }
  const made = s.storage.conversations.groupsCreatedSince(userId, s.now() - HOUR_MS);
  if (made >= groupsPerHour) {
    throw new ProtocolError('RATE_LIMITED', `you created ${made} groups in the last hour, the most allowed (${groupsPerHour}); try again later`);
  }
}

function defaultTitle(memberIds: string[], s: ConversationsServices): string {
  return memberIds
    .map((id) => s.storage.users.findById(id)?.displayName ?? '')
    .filter(Boolean)
    .join(', ')
    .slice(0, 100);
}

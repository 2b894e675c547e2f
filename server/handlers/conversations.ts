import { ProtocolError, type ClientCommands, type Conversation } from '../../src/protocol/index';
import type { Connection } from '../gateway/connection';
import { conversationsKey } from '../hub/hub';
import { newId } from '../storage/ids';
import { notifyConversationChanged } from './access';
import { userIdOf, type Reply, type Services } from './context';

/**
 * Reading and creating conversations. One other member makes a direct
 * conversation, unique per pair; two or more make a group, titled by the
 * creator or else by its members' names. Every member must be the creator's
 * contact.
 */
export function getConversations(conn: Connection, p: ClientCommands['GetConversationsCommand'], s: Services): Reply {
  const userId = userIdOf(conn);
  const wanted = p.ids ? new Set(p.ids) : null;
  const conversations: Record<string, Conversation> = {};
  for (const c of s.storage.conversations.listForUser(userId)) {
    if (!wanted || wanted.has(c.id)) conversations[c.id] = c;
  }
  return { name: 'ConversationsResponse', payload: { conversations, version: s.versions.get(conversationsKey(userId)) } };
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

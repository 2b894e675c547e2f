import { ProtocolError, type ClientCommands } from '../../src/protocol/index';
import type { Connection } from '../gateway/connection';
import { userIdOf, type Reply } from './context';
import { acceptEntry, base, type EntryServices } from './entry-commands';

/**
 * The commands that change a group (docs/PROTOCOL.md section 8): rename,
 * add members, remove a member (or leave). Each appends one entry, through
 * the send path like a message. What the cache can tell is checked here
 * (a direct conversation is refused; an added person must be the adder's
 * contact); whatever the batch before could have changed (membership,
 * owner, the group's size) is checked by the writer, in its transaction.
 */

/**
 * Refuses a direct conversation (a conversation's kind never changes, so the
 * cache's word is final). Only for a member: anyone else learns nothing of
 * the conversation and is refused by acceptEntry.
 */
function requireGroup(conn: Connection, conversationId: string, what: string, s: EntryServices): boolean {
  const conversation = s.storage.conversations.get(conversationId);
  if (!conversation || !Object.hasOwn(conversation.members, userIdOf(conn))) return false;
  if (conversation.kind !== 'group') {
    throw new ProtocolError('INVALID_PAYLOAD', `conversation ${conversationId} is a direct conversation; only a group can ${what}`);
  }
  return true;
}

/** RenameConversationCommand: any member; the same title again appends nothing. */
export function renameConversation(conn: Connection, p: ClientCommands['RenameConversationCommand'], s: EntryServices): Reply | void {
  requireGroup(conn, p.conversationId, 'be renamed', s);
  return acceptEntry(conn, 'RenameConversationCommand', p, s, { kind: 'title', ...base(conn, p), title: p.title });
}

/**
 * AddMembersCommand: any member may add their own contacts (the same check
 * as creating a conversation, ContactsRepo.isContact). Those already in are
 * left out; only people already in appends nothing. The group's size limit
 * is checked in the transaction.
 */
export function addMembers(conn: Connection, p: ClientCommands['AddMembersCommand'], s: EntryServices): Reply | void {
  const userId = userIdOf(conn);
  const memberIds = [...new Set(p.memberIds)];
  const { maxGroupMembers } = s.config.limits;
  if (requireGroup(conn, p.conversationId, 'have members added', s)) {
    if (memberIds.length > maxGroupMembers) {
      throw new ProtocolError('INVALID_PAYLOAD', `memberIds: a group has at most ${maxGroupMembers} members, this names ${memberIds.length}`);
    }
    const { members } = s.storage.conversations.get(p.conversationId)!;
    for (const id of memberIds) {
      if (Object.hasOwn(members, id)) continue;
      if (!s.storage.contacts.isContact(userId, id)) throw new ProtocolError('FORBIDDEN', `member ${id} is not one of your contacts`);
    }
  }
  return acceptEntry(conn, 'AddMembersCommand', p, s, { kind: 'add', ...base(conn, p), memberIds, maxMembers: maxGroupMembers });
}

/** RemoveMemberCommand: the owner may remove anyone, any member themself (leaving); checked in the transaction. */
export function removeMember(conn: Connection, p: ClientCommands['RemoveMemberCommand'], s: EntryServices): Reply | void {
  requireGroup(conn, p.conversationId, 'have members removed', s);
  return acceptEntry(conn, 'RemoveMemberCommand', p, s, { kind: 'remove', ...base(conn, p), memberId: p.memberId });
}

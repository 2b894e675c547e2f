import { ProtocolError, type ClientCommands } from '../../src/protocol/index';
import type { Connection } from '../gateway/connection';
import { changeRelation, type ContactsServices } from './contacts';
import { userIdOf, type Reply } from './context';

/**
 * Answering a contact request, removing a contact or a request, and blocking
 * (docs/PROTOCOL.md section 12). Every change goes through `changeRelation`,
 * which tells each side only what changed in their own list.
 */

/** Accept or decline a request someone sent the caller. A declined sender is not told: they keep seeing it as outgoing. */
export function answerContactRequest(conn: Connection, p: ClientCommands['AnswerContactRequestCommand'], s: ContactsServices): Reply {
  const me = userIdOf(conn);
  const repo = s.storage.contacts;
  // Accepting again (a retry whose answer was lost) answers the contact it made.
  if (p.accept && repo.isContact(me, p.userId)) {
    return { name: 'AnswerContactRequestResponse', payload: { contact: s.presence.entryOf(repo.find(me, p.userId)!) } };
  }
  if (repo.request(p.userId, me) !== 'pending') {
    throw new ProtocolError('NOT_FOUND', `no contact request from ${p.userId} is waiting for your answer`);
  }
  const contact = changeRelation(me, p.userId, s, () => {
    if (p.accept) repo.addPair(me, p.userId, s.now());
    else repo.declineRequest(p.userId, me);
  });
  return { name: 'AnswerContactRequestResponse', payload: { contact: p.accept ? contact : null } };
}

/**
 * Ends whatever the caller has with the user: an accepted contact (both
 * sides' lists change; conversations stay, but a direct one takes no new
 * messages until they are contacts again), an outgoing request (withdrawn),
 * or an incoming one (declined). A block is not touched: that is
 * BlockUserCommand's.
 */
export function removeContact(conn: Connection, p: ClientCommands['RemoveContactCommand'], s: ContactsServices): Reply {
  const me = userIdOf(conn);
  const repo = s.storage.contacts;
  const entry = repo.find(me, p.userId);
  if (!entry || entry.state === 'none') {
    throw new ProtocolError('NOT_FOUND', `${p.userId} is not your contact, and no request between you is pending`);
  }
  changeRelation(me, p.userId, s, () => {
    if (entry.state === 'accepted') repo.removePair(me, p.userId);
    else if (entry.state === 'outgoing') repo.deleteRequest(me, p.userId);
    else repo.declineRequest(p.userId, me);
  });
  return { name: 'RemoveContactResponse', payload: { userId: p.userId } };
}

/**
 * Blocks or unblocks anyone by id. Blocking drops their pending request to
 * the caller (they are not told), withdraws the caller's to them, hides
 * presence both ways and stops direct messages and new conversations
 * between the two; an accepted contact stays one, so unblocking restores
 * everything. Bounded per hour and in total.
 */
export function blockUser(conn: Connection, p: ClientCommands['BlockUserCommand'], s: ContactsServices): Reply {
  const me = userIdOf(conn);
  if (p.userId === me) throw new ProtocolError('INVALID_PAYLOAD', 'userId: you cannot block yourself');
  s.userQuotas.requireBlock(me);
  const repo = s.storage.contacts;
  if (!s.storage.users.findById(p.userId)) throw new ProtocolError('NOT_FOUND', `no user ${p.userId}`);
  const max = s.config.limits.maxBlockedPerUser;
  if (p.blocked && !repo.hasBlocked(me, p.userId) && repo.blockCount(me) >= max) {
    throw new ProtocolError('FORBIDDEN', `you have blocked ${max} users, the most allowed; unblock someone first`);
  }
  changeRelation(me, p.userId, s, () => {
    if (p.blocked) repo.block(me, p.userId, s.now());
    else repo.unblock(me, p.userId);
  });
  return { name: 'BlockUserResponse', payload: { userId: p.userId, blocked: p.blocked } };
}

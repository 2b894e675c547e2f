import { ProtocolError, type ClientCommands, type Contact } from '../../src/protocol/index';
import { hashPassword, verifyPassword } from '../auth/password';
import type { Connection } from '../gateway/connection';
import { contactsKey } from '../hub/hub';
import { toUser } from '../storage/users-repo';
import { userIdOf, type Reply, type Services } from './context';
import { endOtherSessions } from './session-state';

/** What the account commands use. */
export type AccountServices = Pick<
  Services,
  'config' | 'hashes' | 'hub' | 'metrics' | 'presence' | 'sessions' | 'storage' | 'throttle' | 'userQuotas' | 'versions'
>;

/**
 * Changing one's display name and password (docs/PROTOCOL.md section 11).
 * The sessions list and revocation are in account-sessions.ts.
 */

/**
 * A new display name (trimmed, 1-64 code points, no control or direction
 * characters: the schema's). Everyone whose contacts list shows the user
 * sees it change, each with their own entry; the user's other sockets get
 * ProfileChangedNotification. Bounded per hour, since each change reaches
 * all of them.
 */
export function updateProfile(conn: Connection, p: ClientCommands['UpdateProfileCommand'], s: AccountServices): Reply {
  const me = userIdOf(conn);
  s.userQuotas.requireProfileChange(me);
  s.storage.users.setDisplayName(me, p.displayName);
  const user = toUser(s.storage.users.findById(me)!);
  for (const peer of s.presence.peersOf(me) as ReadonlySet<Connection>) {
    peer.user = user;
    if (peer !== conn) peer.send('ProfileChangedNotification', { user });
  }
  notifyListers(me, s);
  return { name: 'UpdateProfileResponse', payload: { user } };
}

/**
 * Tells everyone whose list holds the user of their new entry: one
 * notification per distinct entry (accepted contacts who see presence share
 * one, requesters another...), each encoded once.
 */
function notifyListers(userId: string, s: AccountServices): void {
  const groups = new Map<string, { keys: string[]; entry: Contact }>();
  for (const viewer of s.storage.contacts.listedBy(userId)) {
    const row = s.storage.contacts.find(viewer, userId);
    if (!row) continue;
    const entry = s.presence.entryOf(row);
    const json = JSON.stringify(entry);
    const group = groups.get(json);
    if (group) group.keys.push(contactsKey(viewer));
    else groups.set(json, { keys: [contactsKey(viewer)], entry });
  }
  for (const { keys, entry } of groups.values()) {
    const version = s.versions.bump(keys);
    s.hub.notifyChanged(keys, { resource: 'contacts', version, ids: [userId], items: { [userId]: entry } });
  }
}

/**
 * A new password, given the current one. The current one is checked like a
 * password login: counted by the login throttle first (while it refuses,
 * RATE_LIMITED), checked and the new one hashed in the hash queue; a wrong
 * one is FORBIDDEN and counts as a failed login. On success the failure
 * count is cleared and every OTHER session of the user ends at once (their
 * sockets get SessionRevokedNotification); this one stays.
 */
export async function changePassword(conn: Connection, p: ClientCommands['ChangePasswordCommand'], s: AccountServices): Promise<Reply> {
  const me = userIdOf(conn);
  const session = conn.session!;
  const row = s.storage.users.findById(me);
  if (!row) throw new ProtocolError('NOT_AUTHENTICATED', 'your account is gone; log in again');
  const attempt = await s.throttle.beginPassword(row.username, conn.address);
  if ('retryAfterMs' in attempt) {
    throw new ProtocolError('RATE_LIMITED', `too many wrong passwords for ${row.username}; retry the password change in ${seconds(attempt.retryAfterMs)}`);
  }
  const checking = s.hashes.run(conn.address, () => verifyPassword(p.currentPassword, row.passwordHash));
  if (!checking) {
    await s.throttle.passwordNotTried(attempt);
    throw busy(s);
  }
  const ok = await checking.catch(async (error: unknown) => {
    await s.throttle.passwordFailed(attempt);
    throw error;
  });
  if (!ok) {
    await s.throttle.passwordFailed(attempt);
    throw new ProtocolError('FORBIDDEN', 'currentPassword: that is not your current password; nothing was changed');
  }
  await s.throttle.passwordSucceeded(attempt);
  const hashing = s.hashes.run(conn.address, () => hashPassword(p.newPassword, s.config.scrypt));
  if (!hashing) throw busy(s);
  const hash = await hashing;
  // The session may have ended while the hashes ran (revoked elsewhere, the socket closed): then nothing changes.
  if (conn.session !== session) throw new ProtocolError('NOT_AUTHENTICATED', 'your session ended before the password was changed; nothing was changed');
  s.storage.users.setPasswordHash(me, hash);
  endOtherSessions(conn, s);
  return { name: 'ChangePasswordResponse', payload: { changed: true } };
}

function busy(s: AccountServices): ProtocolError {
  return new ProtocolError('RATE_LIMITED', `the server is busy checking passwords; retry the password change in ${seconds(s.hashes.expectedWaitMs)}`);
}

function seconds(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))} s`;
}

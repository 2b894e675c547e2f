import type { User } from '../../src/protocol/index';
import type { LiveSession } from '../auth/session-registry';
import type { SessionRow } from '../storage/sessions-repo';
import type { Connection } from '../gateway/connection';
import type { Services } from './context';

/** What attaching, detaching and revoking a session use. */
export type SessionStateServices = Pick<Services, 'hub' | 'metrics' | 'presence' | 'sessions'>;

/** Puts a socket into the logged-in state of a session (leaving any earlier one first). */
export function attachSession(conn: Connection, session: LiveSession, user: User, s: SessionStateServices): void {
  // The socket may have closed while the password was being checked; a dead
  // socket must not count as online or hold the session in memory.
  if (!conn.isOpen) return;
  if (conn.session) detachSession(conn, s);
  conn.session = session;
  conn.user = user;
  session.peers.add(conn);
  s.presence.attach(conn, user.id);
  s.metrics.loggedInUsers.set(s.presence.onlineUsers);
}

/** Back to the logged-out state: subscriptions end, presence updates. */
export function detachSession(conn: Connection, s: SessionStateServices): void {
  const { session, user } = conn;
  conn.session = null;
  conn.user = null;
  s.hub.dropAll(conn);
  if (session) s.sessions.release(session, conn);
  if (user) s.presence.detach(conn, user.id);
  s.metrics.loggedInUsers.set(s.presence.onlineUsers);
}

/**
 * Ends a session at once (logout or expiry): every socket using it is logged
 * out, and all but `except` (the one that asked) get SessionRevokedNotification.
 */
export function revokeSession(session: LiveSession, s: SessionStateServices, except?: Connection): void {
  const peers = s.sessions.revoke(session) as Connection[];
  for (const peer of peers) {
    if (peer !== except) peer.send('SessionRevokedNotification', {});
    // The registry already forgot the session; detach without releasing it again.
    peer.session = null;
    const user = peer.user;
    peer.user = null;
    s.hub.dropAll(peer);
    if (user) s.presence.detach(peer, user.id);
  }
  s.metrics.loggedInUsers.set(s.presence.onlineUsers);
}

/** Ends a stored session: revoked as above when sockets use it, else just deleted. */
export function endSession(row: SessionRow, s: SessionStateServices, except?: Connection): void {
  const live = s.sessions.liveOf(row);
  if (live) revokeSession(live, s, except);
  else s.sessions.deleteUnused(row);
}

/** Ends the session of a token, if there is one (DELETE /session/cookie). */
export function endSessionOfToken(token: string, s: SessionStateServices): void {
  const row = s.sessions.findByToken(token);
  if (row) endSession(row, s);
}

/**
 * Ends every session of the user but the one `conn` is logged in with, at
 * once: their sockets get SessionRevokedNotification. Returns how many ended.
 */
export function endOtherSessions(conn: Connection, s: SessionStateServices): number {
  const current = conn.session;
  if (!current) return 0;
  const { live, count } = s.sessions.endOthers(current.userId, current);
  for (const session of live) revokeSession(session, s);
  return count;
}

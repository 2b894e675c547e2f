import { ProtocolError, type ClientCommands, type SessionInfo } from '../../src/protocol/index';
import type { Connection } from '../gateway/connection';
import type { SessionRow } from '../storage/sessions-repo';
import { userIdOf, type Reply, type Services } from './context';
import { endOtherSessions, endSession } from './session-state';

/** What listing and ending sessions use. */
export type AccountSessionsServices = Pick<Services, 'hub' | 'metrics' | 'presence' | 'sessions'>;

/**
 * "Where you are signed in" (docs/PROTOCOL.md section 11): the caller's live
 * sessions, and ending any of them. Sessions are named by their own random
 * id, never by the token or anything derived from it.
 */

/** The caller's unexpired sessions, most recently used first (at most MAX_LISTED_SESSIONS: a few KB each hundred). */
export function getSessions(conn: Connection, _p: ClientCommands['GetSessionsCommand'], s: AccountSessionsServices): Reply {
  const me = userIdOf(conn);
  const current = conn.session!;
  const sessions = s.sessions.listFor(me).map((row) => infoOf(row, row.tokenHash === current.tokenHash));
  return { name: 'SessionsResponse', payload: { sessions } };
}

function infoOf(row: SessionRow, current: boolean): SessionInfo {
  return {
    id: row.id,
    current,
    publicComputer: row.publicComputer,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    // Sessions made before clients were recorded have none.
    client: row.client || 'Unknown client',
  };
}

/**
 * Ends one of the caller's sessions (its sockets get
 * SessionRevokedNotification at once; the current one is a logout of this
 * socket), or with `others: true` every session but the current one. A
 * session that is not the caller's, unknown, expired or malformed id is
 * NOT_FOUND alike, so ids of others cannot be probed.
 */
export function revokeSessions(conn: Connection, p: ClientCommands['RevokeSessionCommand'], s: AccountSessionsServices): Reply {
  const me = userIdOf(conn);
  if ('others' in p) return revoked(endOtherSessions(conn, s));
  const row = s.sessions.findOwned(me, p.sessionId);
  if (!row) throw new ProtocolError('NOT_FOUND', `you have no session ${JSON.stringify(p.sessionId)}`);
  // This socket is told by the answer, as after AccountLogoutCommand; its other sockets by the notification.
  endSession(row, s, conn);
  return revoked(1);
}

function revoked(count: number): Reply {
  return { name: 'RevokeSessionResponse', payload: { revoked: true, count } };
}

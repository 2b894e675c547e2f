import { ProtocolError, PROTOCOL_VERSION, type ClientCommands } from '../../src/protocol/index';
import { hashPassword, verifyPassword } from '../auth/password';
import { newId } from '../storage/ids';
import { toUser } from '../storage/users-repo';
import { randomUUID } from 'node:crypto';
import type { Connection } from '../gateway/connection';
import type { Reply, Services } from './context';
import { attachSession, revokeSession } from './session-state';

/** What registration, accounts, login, logout and ping use (login and logout attach and detach sessions: session-state.ts). */
export type SessionServices = Pick<Services, 'config' | 'dummyPasswordHash' | 'hub' | 'metrics' | 'now' | 'presence' | 'sessions' | 'storage' | 'throttle'>;

/** Registration, account creation, login and logout (docs/PROTOCOL.md section 2). */
export function register(conn: Connection, p: ClientCommands['ClientRegistrationCommand'], s: SessionServices): Reply {
  conn.registered = true;
  conn.clientId = p.clientInformation.clientId ?? conn.clientId ?? randomUUID();
  return {
    name: 'ClientRegistrationResponse',
    payload: {
      clientId: conn.clientId,
      protocolVersion: PROTOCOL_VERSION,
      serverTime: s.now(),
      heartbeatIntervalMs: s.config.limits.heartbeatIntervalMs,
      limits: { maxFrameBytes: s.config.limits.maxFrameBytes, maxBodyLength: s.config.limits.maxBodyLength },
    },
  };
}

export async function createAccount(_conn: Connection, p: ClientCommands['AccountCreateCommand'], s: SessionServices): Promise<Reply> {
  const { username, password } = p.userInformation;
  if (s.storage.users.findByUsername(username)) throw new ProtocolError('CONFLICT', `username ${username} is taken`);
  const hash = await hashPassword(password, s.config.scrypt);
  const id = newId('u');
  const displayName = p.userInformation.displayName ?? username;
  try {
    s.storage.users.insert(id, username, displayName, hash, s.now());
  } catch (error) {
    // Two creations of one name raced through the check above while hashing.
    if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new ProtocolError('CONFLICT', `username ${username} is taken`);
    }
    throw error;
  }
  return { name: 'AccountCreateResponse', payload: { created: true, user: { id, username, displayName } } };
}

export async function login(conn: Connection, p: ClientCommands['AccountLoginCommand'], s: SessionServices): Promise<Reply> {
  const info = p.userInformation;
  if ('sessionToken' in info) {
    const session = s.sessions.resume(info.sessionToken);
    const row = session === 'expired' ? undefined : s.storage.users.findById(session.userId);
    if (session === 'expired' || !row) return failed('SESSION_EXPIRED');
    attachSession(conn, session, toUser(row), s);
    return loggedIn(info.sessionToken, toUser(row), s.sessions.expiresAt(session));
  }
  const username = info.username.trim().toLowerCase();
  if (s.throttle.isThrottled(username)) return failed('THROTTLED');
  const row = s.storage.users.findByUsername(username);
  const ok = await verifyPassword(info.password, row?.passwordHash ?? (await s.dummyPasswordHash()));
  if (!row || !ok) {
    s.throttle.recordFailure(username);
    return failed('BAD_CREDENTIALS');
  }
  s.throttle.recordSuccess(username);
  const { token, session } = s.sessions.create(row.id, p.publicComputer === true);
  attachSession(conn, session, toUser(row), s);
  return loggedIn(token, toUser(row), s.sessions.expiresAt(session));
}

export function logout(conn: Connection, _p: ClientCommands['AccountLogoutCommand'], s: SessionServices): Reply {
  if (conn.session) revokeSession(conn.session, s, conn);
  return { name: 'AccountLogoutResponse', payload: { loggedOut: true } };
}

export function ping(_conn: Connection, p: ClientCommands['PingCommand'], s: SessionServices): Reply {
  const payload: { t?: number; serverTime: number } = { serverTime: s.now() };
  if (p.t !== undefined) payload.t = p.t;
  return { name: 'PongResponse', payload };
}

function failed(reason: 'BAD_CREDENTIALS' | 'SESSION_EXPIRED' | 'THROTTLED'): Reply {
  return { name: 'AccountLoginResponse', payload: { loggedIn: false, reason } };
}

function loggedIn(sessionToken: string, user: { id: string; username: string; displayName: string }, expiresAt: number): Reply {
  return { name: 'AccountLoginResponse', payload: { loggedIn: true, sessionToken, user, expiresAt } };
}

import { DEFAULT_LIMITS, ProtocolError, PROTOCOL_VERSION, type ClientCommands, type User } from '../../src/protocol/index';
import { hashPassword, verifyPassword } from '../auth/password';
import type { LiveSession } from '../auth/session-registry';
import { describeClient } from '../auth/user-agent';
import { newId } from '../storage/ids';
import { toUser } from '../storage/users-repo';
import { randomUUID } from 'node:crypto';
import type { Connection } from '../gateway/connection';
import type { Reply, Services } from './context';
import { attachSession, revokeSession } from './session-state';

/** What registration, accounts, login, logout and ping use (login and logout attach and detach sessions: session-state.ts). */
export type SessionServices = Pick<
  Services,
  'config' | 'cookieCodes' | 'dummyPasswordHash' | 'hashes' | 'hub' | 'metrics' | 'now' | 'presence' | 'sessions' | 'storage' | 'throttle'
>;

/** Registration, account creation, login and logout (docs/PROTOCOL.md section 2). */
export function register(conn: Connection, p: ClientCommands['ClientRegistrationCommand'], s: SessionServices): Reply {
  conn.registered = true;
  conn.clientId = p.clientInformation.clientId ?? conn.clientId ?? randomUUID();
  conn.clientMedium = p.clientInformation.clientMedium;
  return {
    name: 'ClientRegistrationResponse',
    payload: {
      clientId: conn.clientId,
      protocolVersion: PROTOCOL_VERSION,
      serverTime: s.now(),
      heartbeatIntervalMs: s.config.limits.heartbeatIntervalMs,
      // The body limit is the protocol's BodySchema's, which the gateway checks every command against.
      limits: { maxFrameBytes: s.config.limits.maxFrameBytes, maxBodyLength: DEFAULT_LIMITS.maxBodyLength },
    },
  };
}

/**
 * Sign-up: counted per address before anything else (a taken name counts
 * too, so the answers cannot be used to list accounts quickly), then the
 * password is hashed in the bounded hash queue.
 */
export async function createAccount(conn: Connection, p: ClientCommands['AccountCreateCommand'], s: SessionServices): Promise<Reply | void> {
  const { username, password } = p.userInformation;
  const { accountCreationsPerAddress, accountCreationsTotal, accountCreationWindowMs } = s.config.limits;
  const { waitMs, spent } = await s.throttle.beginSignup(conn.address);
  if (spent === 'address') {
    throw new ProtocolError(
      'RATE_LIMITED',
      `too many sign-ups from ${conn.address} (at most ${accountCreationsPerAddress} per ${minutes(accountCreationWindowMs)}); retry in ${seconds(waitMs)}`,
    );
  }
  if (spent === 'total') {
    throw new ProtocolError(
      'RATE_LIMITED',
      `too many sign-ups on this server (at most ${accountCreationsTotal} per ${minutes(accountCreationWindowMs)}); retry the sign-up of ${username} in ${seconds(waitMs)}`,
    );
  }
  if (s.storage.users.findByUsername(username)) throw new ProtocolError('CONFLICT', `username ${username} is taken`);
  const hashing = s.hashes.run(conn.address, () => (conn.isOpen ? hashPassword(password, s.config.scrypt) : Promise.resolve(null)));
  if (!hashing) {
    await s.throttle.signupNotTried(conn.address);
    throw new ProtocolError('RATE_LIMITED', `the server is busy checking passwords; retry the sign-up of ${username} in ${seconds(s.hashes.expectedWaitMs)}`);
  }
  const hash = await hashing;
  // The socket closed while the sign-up waited: nobody would learn the account exists, so none is made.
  if (hash === null) return;
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
  if ('sessionToken' in info) return tokenLogin(conn, info.sessionToken, p.bindCookie === true ? 'bind' : 'token', s);
  if ('useCookie' in info) {
    // Without a cookie on the upgrade there is nothing to resume: the client asks for the password.
    if (!conn.cookieToken) return failed('SESSION_EXPIRED');
    return tokenLogin(conn, conn.cookieToken, 'cookie', s);
  }
  const username = info.username.trim().toLowerCase();
  const attempt = await s.throttle.beginPassword(username, conn.address);
  if ('retryAfterMs' in attempt) return throttled(attempt.retryAfterMs);
  const row = s.storage.users.findByUsername(username);
  const stored = row?.passwordHash ?? (await s.dummyPasswordHash());
  // A socket gone by its turn is not hashed for; the attempt still counts.
  const checking = s.hashes.run(conn.address, () => (conn.isOpen ? verifyPassword(info.password, stored) : Promise.resolve(false)));
  if (!checking) {
    await s.throttle.passwordNotTried(attempt);
    return throttled(s.hashes.expectedWaitMs);
  }
  const ok = await checking.catch(async (error: unknown) => {
    // A stored hash scrypt cannot use: answered INTERNAL, and the success held for it given back.
    await s.throttle.passwordFailed(attempt);
    throw error;
  });
  if (!row || !ok) {
    await s.throttle.passwordFailed(attempt);
    return failed('BAD_CREDENTIALS');
  }
  await s.throttle.passwordSucceeded(attempt);
  const publicComputer = p.publicComputer === true;
  const { token, session, ended } = s.sessions.create(row.id, publicComputer, describeClient(conn.userAgent, conn.clientMedium));
  // This socket may be on one of them (a second login); it is not told, it moves to the new session.
  for (const old of ended) revokeSession(old, s, conn);
  attachSession(conn, session, toUser(row), s);
  return loggedIn(token, session, toUser(row), p.bindCookie === true ? 'bind' : 'token', s);
}

/**
 * How a login answers: with the token (`token`), with a one-time code for
 * the cookie instead (`bind`: docs/PROTOCOL.md section 13; a public
 * computer's session never binds and gets its token), or with neither
 * (`cookie`: the session came from the upgrade's cookie and its token
 * stays out of every frame).
 */
type Answer = 'token' | 'bind' | 'cookie';

/** A token login (from a frame or the upgrade's cookie): a lookup, not a hash, but failures are counted per address like passwords. */
async function tokenLogin(conn: Connection, token: string, answer: Answer, s: SessionServices): Promise<Reply> {
  const wait = await s.throttle.beginToken(conn.address);
  if (wait > 0) return throttled(wait);
  const session = s.sessions.resume(token);
  const row = session === 'expired' ? undefined : s.storage.users.findById(session.userId);
  if (session === 'expired' || !row) return failed('SESSION_EXPIRED');
  await s.throttle.tokenSucceeded(row.username, conn.address);
  attachSession(conn, session, toUser(row), s);
  return loggedIn(token, session, toUser(row), answer, s);
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

function failed(reason: 'BAD_CREDENTIALS' | 'SESSION_EXPIRED'): Reply {
  return { name: 'AccountLoginResponse', payload: { loggedIn: false, reason } };
}

/** THROTTLED with when to retry (docs/PROTOCOL.md, section 5). */
function throttled(retryAfterMs: number): Reply {
  return { name: 'AccountLoginResponse', payload: { loggedIn: false, reason: 'THROTTLED', retryAfterMs: Math.max(1, Math.ceil(retryAfterMs)) } };
}

function seconds(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))} s`;
}

function minutes(ms: number): string {
  return `${Math.round(ms / 60_000)} min`;
}

function loggedIn(sessionToken: string, session: LiveSession, user: User, answer: Answer, s: SessionServices): Reply {
  const expiresAt = s.sessions.expiresAt(session);
  if (answer === 'cookie') return { name: 'AccountLoginResponse', payload: { loggedIn: true, viaCookie: true, user, expiresAt } };
  if (answer === 'bind' && !session.publicComputer) {
    const cookieCode = s.cookieCodes.issue(user.id, sessionToken);
    return { name: 'AccountLoginResponse', payload: { loggedIn: true, cookieCode, user, expiresAt } };
  }
  return { name: 'AccountLoginResponse', payload: { loggedIn: true, sessionToken, user, expiresAt } };
}

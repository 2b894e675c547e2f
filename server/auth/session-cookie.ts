import type { IncomingMessage } from 'node:http';
import type { SessionRow } from '../storage/sessions-repo';
import type { SessionRegistry } from './session-registry';

/** The cookie that carries a trusted browser's session token (docs/PROTOCOL.md section 13). */
export const SESSION_COOKIE = 'tidings_session';

/** A token as the server makes them (32 bytes, base64url); anything else in the cookie is ignored. */
const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * The session token in a Cookie header, or null. Only the first
 * `tidings_session` counts (a browser sends the most specific path first,
 * and ours is the only one at `/`); a value that is not token-shaped is
 * ignored rather than looked up.
 */
export function sessionTokenFromCookie(header: string | undefined): string | null {
  if (!header || header.length > 8192) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    return TOKEN.test(value) ? value : null;
  }
  return null;
}

/**
 * The live session a request's cookie names, or undefined: for the HTTP
 * routes that accept the cookie as well as a bearer token (attachments).
 * It neither touches the session nor counts as its use.
 */
export function sessionFromCookie(req: IncomingMessage, sessions: SessionRegistry): { token: string; session: SessionRow } | undefined {
  const token = sessionTokenFromCookie(req.headers.cookie);
  if (!token) return undefined;
  const session = sessions.peek(token);
  return session ? { token, session } : undefined;
}

/** The Set-Cookie value that gives the browser the session, for `maxAgeSeconds`. */
export function sessionCookieHeader(token: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}${secure ? '; Secure' : ''}`;
}

/** The Set-Cookie value that makes the browser forget it. */
export function clearedSessionCookieHeader(secure: boolean): string {
  return `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${secure ? '; Secure' : ''}`;
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CookieCodes } from '../auth/cookie-codes';
import type { LoginThrottle } from '../auth/login-throttle';
import { clearedSessionCookieHeader, sessionCookieHeader, sessionTokenFromCookie } from '../auth/session-cookie';
import type { SessionRegistry } from '../auth/session-registry';
import type { ServerConfig, ServerLimits } from '../config';
import { clientAddress } from '../gateway/client-address';
import { sendError } from './http-errors';
import { crossSiteReason } from './same-origin';

/** The largest body POST /session/cookie reads: `{"code": "<43 characters>"}` with room to spare. */
export const MAX_COOKIE_BODY_BYTES = 1024;

export interface SessionCookieDeps {
  codes: CookieCodes;
  sessions: SessionRegistry;
  throttle: LoginThrottle;
  /** The origins the app runs on (those allowed to open the socket). */
  isOwnOrigin: (origin: string) => boolean;
  settings: Pick<ServerConfig, 'behindTls' | 'trustProxyHops'> & { limits: Pick<ServerLimits, 'trustedSessionMaxMs'> };
  /** Ends the session of a token at once, telling its sockets (as a logout does). */
  endSession: (token: string) => void;
  now: () => number;
}

/**
 * `/session/cookie` (docs/PROTOCOL.md section 13): POST `{code}` trades a
 * login's one-time code for the HttpOnly session cookie; DELETE ends the
 * cookie's session and clears the cookie (logout: script cannot). Both are
 * for the app's own pages only: another site's page must neither plant a
 * session of the attacker's in the visitor's browser nor sign them out.
 */
export async function serveSessionCookie(req: IncomingMessage, res: ServerResponse, deps: SessionCookieDeps): Promise<void> {
  if (req.method === 'POST') return bind(req, res, deps);
  if (req.method === 'DELETE') return clear(req, res, deps);
  sendError(res, 405, 'METHOD_NOT_ALLOWED', `${req.method} /session/cookie is refused; the app POSTs a code or DELETEs the cookie`, { Allow: 'POST, DELETE' });
}

async function bind(req: IncomingMessage, res: ServerResponse, deps: SessionCookieDeps): Promise<void> {
  // Unlike /clear-site-data, a request without Origin is refused too: only a browser page has a use for the cookie.
  const origin = req.headers.origin;
  if (origin === undefined) return sendError(res, 403, 'CROSS_SITE_REQUEST', 'POST /session/cookie needs the Origin header of the app\'s own page');
  const crossSite = crossSiteReason(req, deps.isOwnOrigin);
  if (crossSite) return sendError(res, 403, 'CROSS_SITE_REQUEST', `/session/cookie is for the app's own pages: ${crossSite}`);
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    return sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', `the body must be application/json, not ${JSON.stringify(type.slice(0, 100))}`);
  }
  const body = await readBody(req, res);
  if (body === null) return;
  const code = codeOf(body);
  if (code === null) return sendError(res, 400, 'BAD_REQUEST', 'the body must be JSON {"code": "<the cookieCode of the login>"}');
  const address = clientAddress(req, deps.settings.trustProxyHops);
  // Codes are 256-bit random, but a guess still costs: it spends the address's budget of unknown tokens.
  const wait = await deps.throttle.beginToken(address);
  if (wait > 0) {
    const seconds = Math.max(1, Math.ceil(wait / 1000));
    return sendError(res, 429, 'RATE_LIMITED', `too many unknown codes and tokens from this address; retry in ${seconds} s`, { 'Retry-After': String(seconds) });
  }
  const held = deps.codes.redeem(code);
  const session = held ? deps.sessions.peek(held.token) : undefined;
  if (!held || !session) {
    return sendError(res, 403, 'COOKIE_CODE_REFUSED', 'the code is unknown, used, expired, or its session ended; log in again');
  }
  await deps.throttle.tokenGuessGivenBack(address);
  const maxAge = (session.createdAt + deps.settings.limits.trustedSessionMaxMs - deps.now()) / 1000;
  res.writeHead(204, { 'Set-Cookie': sessionCookieHeader(held.token, maxAge, deps.settings.behindTls), 'Cache-Control': 'no-store' });
  res.end();
}

function clear(req: IncomingMessage, res: ServerResponse, deps: SessionCookieDeps): void {
  const crossSite = crossSiteReason(req, deps.isOwnOrigin);
  if (crossSite) return sendError(res, 403, 'CROSS_SITE_REQUEST', `/session/cookie is for the app's own pages: ${crossSite}`);
  const token = sessionTokenFromCookie(req.headers.cookie);
  // Logging out ends the session even when the socket could not say so (offline, already closed).
  if (token) deps.endSession(token);
  res.writeHead(204, { 'Set-Cookie': clearedSessionCookieHeader(deps.settings.behindTls), 'Cache-Control': 'no-store' });
  res.end();
}

/** The body as text, or null once a refusal was sent (too large). */
function readBody(req: IncomingMessage, res: ServerResponse): Promise<string | null> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_COOKIE_BODY_BYTES) {
    tooLarge(req, res);
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_COOKIE_BODY_BYTES) {
        req.off('data', onData);
        tooLarge(req, res);
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(size > MAX_COOKIE_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function tooLarge(req: IncomingMessage, res: ServerResponse): void {
  sendError(res, 413, 'PAYLOAD_TOO_LARGE', `the body may hold at most ${MAX_COOKIE_BODY_BYTES} bytes`, { Connection: 'close' });
  // Nothing more of it is read: the connection ends once the answer is out.
  res.once('finish', () => req.destroy());
}

function codeOf(body: string): string | null {
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value !== 'object' || value === null) return null;
    const code = (value as Record<string, unknown>)['code'];
    return typeof code === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(code) ? code : null;
  } catch {
    return null;
  }
}

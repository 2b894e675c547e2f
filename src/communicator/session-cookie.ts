/** The same-origin route that turns a login's cookie code into the HttpOnly session cookie (docs/PROTOCOL.md). */
export const SESSION_COOKIE_PATH = '/session/cookie';

/**
 * What became of one attempt to bind the session to the cookie: `bound` (the
 * browser now holds the cookie), `refused` (the server will never take this
 * code: unknown, used or expired; asking again is pointless) or
 * `unreachable` (no answer, or the server was busy: the same code may be
 * sent again while it is valid).
 */
export type CookieBindResult = 'bound' | 'refused' | 'unreachable';

type FetchLike = (input: string, init: RequestInit) => Promise<Pick<Response, 'status' | 'ok'>>;

export interface SessionCookieOptions {
  fetch: FetchLike;
  /** The route, same origin as the page; defaults to SESSION_COOKIE_PATH. */
  url?: string;
}

/**
 * The two HTTP calls that keep a trusted browser session's token out of
 * reach of script: `bind` POSTs the single-use code the login answered, and
 * the server sets `tidings_session` HttpOnly, SameSite=Strict; `clear`
 * DELETEs it at logout and revocation, since script cannot remove an HttpOnly
 * cookie itself. Both are same-origin requests with credentials, never
 * cached, and neither throws.
 */
export class SessionCookie {
  private readonly url: string;

  constructor(private readonly options: SessionCookieOptions) {
    this.url = options.url ?? SESSION_COOKIE_PATH;
  }

  async bind(code: string): Promise<CookieBindResult> {
    try {
      const response = await this.options.fetch(this.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ code }),
        credentials: 'same-origin',
        cache: 'no-store',
      });
      if (response.ok) return 'bound';
      // 408, 429 and 5xx say "not now"; any other refusal is about the code itself.
      return response.status === 408 || response.status === 429 || response.status >= 500 ? 'unreachable' : 'refused';
    } catch {
      return 'unreachable';
    }
  }

  /** Asks the server to expire the cookie; false when it could not be reached (the server revoked the session anyway). */
  async clear(): Promise<boolean> {
    try {
      const response = await this.options.fetch(this.url, { method: 'DELETE', credentials: 'same-origin', cache: 'no-store' });
      return response.ok;
    } catch {
      return false;
    }
  }
}

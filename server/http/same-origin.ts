import type { IncomingMessage } from 'node:http';

/** Sec-Fetch-Site values a request made by the app itself (or typed into the address bar) carries. */
const OWN_FETCH_SITES = new Set(['same-origin', 'none']);

/**
 * Why a request that acts (wipes the browser's storage, drops sockets) did
 * not come from the app's own pages, or null when it may have. A browser
 * names the page's origin in `Origin` on every POST and, in current
 * browsers, the relation in `Sec-Fetch-Site`; either one pointing elsewhere
 * refuses it. A request with neither is not a browser acting for another
 * site (curl, a test script), and is served.
 */
export function crossSiteReason(req: IncomingMessage, isOwnOrigin: (origin: string) => boolean): string | null {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && !OWN_FETCH_SITES.has(site)) return `Sec-Fetch-Site is ${JSON.stringify(site)}, not same-origin`;
  const origin = req.headers.origin;
  if (typeof origin === 'string' && !isOwnOrigin(origin)) return `Origin ${JSON.stringify(origin)} is not this server's`;
  return null;
}

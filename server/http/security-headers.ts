import type { ServerResponse } from 'node:http';

/**
 * Headers for every response, and the strict CSP for HTML ones. The app is
 * built without inline script or style (vite.config.ts), so 'self' suffices;
 * connect-src names the socket origins explicitly for browsers whose 'self'
 * does not cover ws:/wss:.
 */
export function buildCsp(httpOrigins: string[]): string {
  const sockets = httpOrigins.flatMap((o) => [o.replace(/^http/, 'ws'), o.replace(/^http/, 'ws').replace(/^ws:/, 'wss:')]);
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${[...new Set(sockets)].join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
    "worker-src 'self'",
    "manifest-src 'self'",
  ].join('; ');
}

export function setCommonHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

export function setHtmlHeaders(res: ServerResponse, csp: string): void {
  setCommonHeaders(res);
  res.setHeader('Content-Security-Policy', csp);
  res.setHeader('X-Frame-Options', 'DENY');
}

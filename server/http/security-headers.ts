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

/** Browser features the app never uses, turned off for it and anything it might embed. */
const PERMISSIONS_POLICY = ['accelerometer', 'camera', 'geolocation', 'gyroscope', 'magnetometer', 'microphone', 'midi', 'payment', 'usb'].map((f) => `${f}=()`).join(', ');

/** One year. */
const HSTS = 'max-age=31536000';

/**
 * Headers for every response: no sniffing, no referrer, no powerful
 * features, a window of its own (no opener shared with a cross-site page
 * that opened it or that it opens), and nothing of ours embeddable by
 * another site (Cross-Origin-Resource-Policy).
 */
export function setCommonHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Permissions-Policy', PERMISSIONS_POLICY);
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

/**
 * Strict-Transport-Security, only when the server is told it is reached over
 * TLS (BEHIND_TLS): it cannot see the TLS a proxy in front of it terminates,
 * and the header commits browsers to HTTPS for this host for a year, which
 * only the operator can promise.
 */
export function setTransportHeaders(res: ServerResponse, behindTls: boolean): void {
  if (behindTls) res.setHeader('Strict-Transport-Security', HSTS);
}

export function setHtmlHeaders(res: ServerResponse, csp: string): void {
  setCommonHeaders(res);
  res.setHeader('Content-Security-Policy', csp);
  res.setHeader('X-Frame-Options', 'DENY');
}

import type { ServerResponse } from 'node:http';
import { setCommonHeaders } from './security-headers';

/**
 * The codes of the HTTP routes' refusals, each answered as `CODE: sentence`
 * in plain text, the sentence naming what was refused. (The socket's own
 * error codes are in src/protocol; these never travel on it.)
 */
export const HTTP_ERROR_CODES = [
  'BAD_URL',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'CROSS_SITE_REQUEST',
  'METRICS_FORBIDDEN',
  'METRICS_UNAUTHORIZED',
  // POST /session/cookie (session-cookie-route.ts)
  'BAD_REQUEST',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
  'COOKIE_CODE_REFUSED',
  'RATE_LIMITED',
] as const;
export type HttpErrorCode = (typeof HTTP_ERROR_CODES)[number];

export function sendError(res: ServerResponse, status: number, code: HttpErrorCode, sentence: string, headers: Record<string, string> = {}): void {
  setCommonHeaders(res);
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(`${code}: ${sentence}\n`);
}

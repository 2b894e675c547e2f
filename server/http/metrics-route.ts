import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerConfig } from '../config';
import type { ServerMetrics } from '../metrics';
import { sendError } from './http-errors';
import { setCommonHeaders } from './security-headers';

type MetricsAccess = Pick<ServerConfig, 'metricsAccess' | 'metricsToken'>;

/**
 * GET /metrics in the Prometheus text format, to whom `metricsAccess`
 * allows: the figures tell how many people are online and what fails,
 * which is the operator's business. 'loopback' serves peers on 127.0.0.0/8
 * or ::1 whose request no proxy forwarded (a reverse proxy on the same host
 * connects from loopback too, and names the real client in Forwarded or
 * X-Forwarded-For).
 */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse, metrics: ServerMetrics, access: MetricsAccess): Promise<void> {
  switch (access.metricsAccess) {
    case 'off':
      return sendError(res, 404, 'NOT_FOUND', '/metrics is turned off on this server (METRICS=off)');
    case 'loopback':
      if (!isLoopback(req.socket.remoteAddress) || req.headers['forwarded'] !== undefined || req.headers['x-forwarded-for'] !== undefined) {
        return sendError(res, 403, 'METRICS_FORBIDDEN', `/metrics is served to loopback peers only (METRICS=loopback), not to ${req.socket.remoteAddress ?? 'an unknown peer'}${req.headers['x-forwarded-for'] || req.headers['forwarded'] ? ' through a proxy' : ''}`);
      }
      break;
    case 'token':
      if (!bearerMatches(req.headers.authorization, access.metricsToken)) {
        return sendError(res, 401, 'METRICS_UNAUTHORIZED', '/metrics needs the header Authorization: Bearer <METRICS_TOKEN>', { 'WWW-Authenticate': 'Bearer realm="metrics"' });
      }
      break;
    case 'open':
      break;
  }
  const body = await metrics.registry.metrics();
  setCommonHeaders(res);
  res.writeHead(200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' });
  res.end(body);
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** Compares digests, so neither the token's length nor its bytes show in the time taken. */
function bearerMatches(header: string | undefined, token: string | null): boolean {
  if (!token || !header) return false;
  const m = /^Bearer ([^\s]+)$/i.exec(header.trim());
  if (!m) return false;
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(m[1]!), digest(token));
}

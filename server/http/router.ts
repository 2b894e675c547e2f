import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerConfig } from '../config';
import type { Logger } from '../logger';
import type { ServerMetrics } from '../metrics';
import type { DatabaseHealth } from './health';
import { serveHealth } from './health';
import { sendError } from './http-errors';
import { serveMetrics } from './metrics-route';
import { crossSiteReason } from './same-origin';
import { serveSessionCookie, type SessionCookieDeps } from './session-cookie-route';
import { setCommonHeaders, setTransportHeaders } from './security-headers';
import { createStaticHandler } from './static-files';
import { serveTestControl, type TestControls } from './test-controls';

export interface RouterDeps {
  distDir: string;
  csp: string;
  health: DatabaseHealth;
  metrics: ServerMetrics;
  logger: Logger;
  accepting: () => boolean;
  /** The origins the app runs on (those allowed to open the socket). */
  isOwnOrigin: (origin: string) => boolean;
  settings: Pick<ServerConfig, 'behindTls' | 'metricsAccess' | 'metricsToken'>;
  /** Present only in mock mode. */
  testControls: TestControls | null;
  /** /session/cookie: the HttpOnly session cookie of trusted browsers. */
  sessionCookie: SessionCookieDeps;
}

/**
 * The HTTP side: /healthz, /metrics, /clear-site-data, /session/cookie, the mock-only
 * /__test__/ controls, and the built app for everything else.
 */
export function createRouter(deps: RouterDeps) {
  const serveStatic = createStaticHandler(deps.distDir, deps.csp);
  return function route(req: IncomingMessage, res: ServerResponse): void {
    handle(req, res).catch((err: unknown) => {
      deps.logger.error({ err, url: req.url }, 'http request failed');
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Internal server error\n');
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setCommonHeaders(res);
    setTransportHeaders(res, deps.settings.behindTls);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      // An absolute-form request target that does not parse ("http://[").
      return sendError(res, 400, 'BAD_URL', `the request target ${JSON.stringify((req.url ?? '').slice(0, 100))} is not a URL`);
    }
    const path = url.pathname;
    if (path.startsWith('/__test__/')) {
      if (!deps.testControls) return plain(res, 404, 'Not found');
      // Another site's page must not drop everyone's sockets or reset the data of a mock server someone runs.
      const crossSite = crossSiteReason(req, deps.isOwnOrigin);
      if (crossSite) return sendError(res, 403, 'CROSS_SITE_REQUEST', `test controls are for the server's own pages: ${crossSite}`);
      return serveTestControl(req, res, url, deps.testControls);
    }
    if (path === '/clear-site-data') return clearSiteData(req, res);
    if (path === '/session/cookie') return serveSessionCookie(req, res, deps.sessionCookie);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendError(res, 405, 'METHOD_NOT_ALLOWED', `${req.method} is not served here; use GET`, { Allow: 'GET, HEAD' });
    }
    if (path === '/healthz') return serveHealth(res, deps.accepting(), deps.health);
    if (path === '/metrics') return serveMetrics(req, res, deps.metrics, deps.settings);
    if (path === '/ws') return plain(res, 426, 'This endpoint speaks WebSocket only');
    serveStatic(req, res, path);
  }

  /**
   * Logout: the app POSTs here so the browser wipes its caches and storage
   * for this origin. Only the app's own POST: a link, a form or a script of
   * another site reaching it would wipe the outbox of unsent messages.
   */
  function clearSiteData(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'POST') {
      return sendError(res, 405, 'METHOD_NOT_ALLOWED', `${req.method} /clear-site-data is refused; the app POSTs it`, { Allow: 'POST' });
    }
    const crossSite = crossSiteReason(req, deps.isOwnOrigin);
    if (crossSite) return sendError(res, 403, 'CROSS_SITE_REQUEST', `/clear-site-data is for the app's own logout: ${crossSite}`);
    res.writeHead(204, { 'Clear-Site-Data': '"cache", "storage"', 'Cache-Control': 'no-store' });
    res.end();
  }
}

function plain(res: ServerResponse, status: number, text: string): void {
  setCommonHeaders(res);
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger';
import type { ServerMetrics } from '../metrics';
import type { Storage } from '../storage/storage';
import { serveHealth } from './health';
import { serveMetrics } from './metrics-route';
import { setCommonHeaders } from './security-headers';
import { createStaticHandler } from './static-files';
import { serveTestControl, type TestControls } from './test-controls';

export interface RouterDeps {
  distDir: string;
  csp: string;
  storage: Storage;
  metrics: ServerMetrics;
  logger: Logger;
  accepting: () => boolean;
  /** Present only in mock mode. */
  testControls: TestControls | null;
}

/**
 * The HTTP side: /healthz, /metrics, /clear-site-data, the mock-only
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
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path.startsWith('/__test__/')) {
      if (!deps.testControls) return plain(res, 404, 'Not found');
      return serveTestControl(req, res, url, deps.testControls);
    }
    if (path === '/clear-site-data') {
      // Logout: the client navigates or fetches here so the browser wipes its caches and storage for this origin.
      setCommonHeaders(res);
      res.writeHead(204, { 'Clear-Site-Data': '"cache", "storage"', 'Cache-Control': 'no-store' });
      return void res.end();
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Method not allowed');
    if (path === '/healthz') return serveHealth(res, deps.accepting(), deps.storage);
    if (path === '/metrics') return serveMetrics(res, deps.metrics);
    if (path === '/ws') return plain(res, 426, 'This endpoint speaks WebSocket only');
    serveStatic(req, res, path);
  }
}

function plain(res: ServerResponse, status: number, text: string): void {
  setCommonHeaders(res);
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}

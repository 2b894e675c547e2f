import { createServer, type Server } from 'node:http';
import type { ServerConfig } from '../config';
import type { Logger } from '../logger';
import type { ServerMetrics } from '../metrics';

type HttpSettings = Pick<
  ServerConfig,
  'maxConnections' | 'httpHeadersTimeoutMs' | 'httpRequestTimeoutMs' | 'httpKeepAliveTimeoutMs' | 'httpIdleTimeoutMs'
>;

/** A refused connection is logged at most this often; the metric counts every one. */
const DROP_LOG_EVERY_MS = 60_000;

/**
 * The HTTP server that carries the routes and the WebSocket upgrades, with
 * the limits that keep a connection from being held for nothing: Node's
 * defaults let half a request line hold a socket for 60-90 s (headers
 * timeout 60 s, checked every 30 s) and a response nobody reads hold its
 * socket and file for ever.
 */
export function createHttpServer(settings: HttpSettings, metrics: ServerMetrics, logger: Logger): Server {
  const server = createServer({
    headersTimeout: settings.httpHeadersTimeoutMs,
    requestTimeout: settings.httpRequestTimeoutMs,
    keepAliveTimeout: settings.httpKeepAliveTimeoutMs,
    // How often Node looks for requests past those timeouts: at most half the headers timeout late.
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(settings.httpHeadersTimeoutMs / 2))),
  });
  // Counts every accepted TCP connection, upgraded WebSockets included
  // (they stay the server's until they close); past it Node closes new ones
  // at once, before anything is read from them.
  server.maxConnections = settings.maxConnections;
  // A socket with no traffic either way for this long is destroyed: a client
  // that stopped reading a response (its writes back up, nothing moves).
  // Keep-alive sockets between requests have keepAliveTimeout; ws turns this
  // off on the sockets it upgrades and runs its own heartbeat.
  server.timeout = settings.httpIdleTimeoutMs;
  let lastDropLog = 0;
  server.on('drop', () => {
    metrics.httpConnectionsDropped.inc();
    const now = Date.now();
    if (now - lastDropLog >= DROP_LOG_EVERY_MS) {
      lastDropLog = now;
      logger.warn({ maxConnections: settings.maxConnections }, 'MAX_CONNECTIONS reached: new connections are closed (tidings_http_connections_dropped_total counts them)');
    }
  });
  return server;
}

/**
 * After listen(): an error of the listening socket is logged, never left
 * unhandled, which would end the process and every user's connection with
 * it. (Running out of descriptors is not one: libuv then accepts and closes
 * the waiting connections itself; ENOBUFS or ENOMEM on accept would be.)
 */
export function logServerErrors(server: Server, logger: Logger): void {
  let last = 0;
  server.on('error', (err: NodeJS.ErrnoException) => {
    const now = Date.now();
    if (now - last < DROP_LOG_EVERY_MS) return;
    last = now;
    logger.error({ err, code: err.code }, 'the HTTP server could not accept a connection');
  });
}

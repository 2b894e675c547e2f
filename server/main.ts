import { parseArgs } from 'node:util';
import { startServer } from './app';
import type { ServerOptions } from './config';
import { DatabaseOpenError } from './storage/database';

/**
 * The command line: `node --import tsx server/main.ts [--mock] [--port N]
 * [--host H] [--db PATH]`. Flags win over environment variables.
 */
const HELP = `Tidings server: serves the built app (./dist) and the WebSocket at /ws.

Usage: node --import tsx server/main.ts [options]

Options:
  --mock         Mock mode: in-memory database (unless --db/DB_PATH is given),
                 demo users alice/bob/carol (passwords tidings-<name>), demo
                 conversations, and the /__test__/ controls.
  --port <n>     Port to listen on (0 picks a free one). Default 8080.
  --host <h>     Address to listen on. Default 127.0.0.1.
  --db <path>    Database file, or :memory:. Default ./data/tidings.db.
  --help         Print this help and exit.

Environment:
  PORT, HOST, DB_PATH   Same as --port, --host, --db.
  MOCK=1                Same as --mock.
  ALLOWED_ORIGINS       Comma-separated origins allowed to open a socket
                        (default: the server's own, http://HOST:PORT and its
                        localhost/127.0.0.1 aliases).
  DURABILITY            normal (default; WAL + synchronous=NORMAL, an
                        acknowledged message survives kill -9) or full
                        (synchronous=FULL, also survives power loss).
  DIST_DIR              Built app directory. Default ./dist.

Socket limits (0 turns a limit off):
  MAX_SOCKETS           Open WebSockets in this process. When full, an
                        upgrade closes the longest-waiting socket not logged
                        in (4408), or gets HTTP 503 with Retry-After when all
                        are logged in. Default 20000.
  MAX_SOCKETS_PER_ADDRESS
                        Open WebSockets per client address (IPv6: per /64);
                        more get HTTP 429 with Retry-After. Default 100.
  MAX_PENDING_SOCKETS_PER_ADDRESS
                        Of those, sockets not yet logged in; more get HTTP
                        429. Default 20.
  MAX_SOCKETS_PER_USER  Logged-in sockets per account; a login beyond closes
                        that socket with 4429. Default 50.
  LOGIN_DEADLINE_MS     A socket not logged in this long after opening (or
                        after logging out) is closed with 4408. Default 10000.
  MAX_BUFFERED_BYTES    Unsent bytes a socket may hold; a write beyond closes
                        it with 1008 (too slow). Default 4194304 (4 MiB).
  MAX_QUEUED_BYTES      Bytes of commands one socket may have waiting for
                        earlier ones (a login, a history page); beyond,
                        RATE_LIMITED. Default 1048576 (1 MiB).
  MAX_SUBSCRIPTIONS_PER_SOCKET
                        Subscriptions one socket may hold; beyond,
                        RATE_LIMITED. Default 5000.
  TYPING_NOTICES_PER_SECOND
                        Typing notices one socket may have relayed per
                        second (bursts to twice that); beyond, they are
                        dropped. Default 5.
  TRUST_PROXY           Proxies in front whose X-Forwarded-For is believed
                        for the client address: 0 (default) uses the TCP
                        peer; N takes the Nth entry from the right (1: the
                        rightmost, added by the nearest proxy). Set it
                        behind a proxy, or every client counts as the
                        proxy's address.
  LOG_LEVEL             pino level: trace, debug, info (default), warn, error, silent.

Stops cleanly on SIGTERM/SIGINT: sockets close with 1001, the database is flushed.
`;

function parseCommandLine(argv: string[]): ServerOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      mock: { type: 'boolean' },
      port: { type: 'string' },
      host: { type: 'string' },
      db: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const env = process.env;
  const portText = values.port ?? env['PORT'];
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new Error(`port must be an integer 0-65535, got ${JSON.stringify(portText)}`);
  }
  const durability = env['DURABILITY'] ?? 'normal';
  if (durability !== 'normal' && durability !== 'full') throw new Error(`DURABILITY must be normal or full, got ${durability}`);
  const count = (name: string): number | undefined => {
    const text = env[name];
    if (text === undefined || text === '') return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, 0 or more, got ${JSON.stringify(text)}`);
    return n;
  };
  const origins = env['ALLOWED_ORIGINS']?.split(',').map((o) => o.trim()).filter(Boolean);
  return {
    mock: values.mock === true || env['MOCK'] === '1' || env['MOCK'] === 'true',
    port,
    host: values.host ?? env['HOST'],
    dbPath: values.db ?? env['DB_PATH'],
    allowedOrigins: origins && origins.length > 0 ? origins : undefined,
    durability,
    distDir: env['DIST_DIR'],
    logLevel: env['LOG_LEVEL'] ?? 'info',
    maxSockets: count('MAX_SOCKETS'),
    maxSocketsPerAddress: count('MAX_SOCKETS_PER_ADDRESS'),
    maxPendingSocketsPerAddress: count('MAX_PENDING_SOCKETS_PER_ADDRESS'),
    maxSocketsPerUser: count('MAX_SOCKETS_PER_USER'),
    loginDeadlineMs: count('LOGIN_DEADLINE_MS'),
    maxBufferedBytes: count('MAX_BUFFERED_BYTES'),
    maxQueuedBytes: count('MAX_QUEUED_BYTES'),
    maxSubscriptionsPerSocket: count('MAX_SUBSCRIPTIONS_PER_SOCKET'),
    typingPerSecond: count('TYPING_NOTICES_PER_SECOND'),
    trustProxyHops: count('TRUST_PROXY'),
  };
}

async function main(): Promise<void> {
  let options: ServerOptions | 'help';
  try {
    options = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (options === 'help') {
    process.stdout.write(HELP);
    return;
  }
  const server = await startServer(options);
  process.stdout.write(`Tidings ${server.config.mock ? '(mock mode) ' : ''}listening on ${server.url}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    server.logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        server.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  // A database that cannot be opened is the operator's to fix: the sentence says what and where; a stack would bury it.
  const text = error instanceof DatabaseOpenError ? error.message : ((error as Error).stack ?? String(error));
  process.stderr.write(`Tidings failed to start: ${text}\n`);
  process.exit(1);
});

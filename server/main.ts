import { parseArgs } from 'node:util';
import { startServer } from './app';
import { authLimitsFromEnv, authSettingsHelp, defaultConfig, type ServerOptions } from './config';
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
  MAX_GROUP_MEMBERS     Most members of one group, its creator included
                        (3-1000). Default 500. More: INVALID_PAYLOAD.
  GROUPS_PER_HOUR       Groups one user may create in any hour (direct
                        conversations not counted). Default 20. More:
                        RATE_LIMITED.
  SENDS_PER_USER_PER_MINUTE
                        Messages one user may send in a minute, from all
                        their sockets together. Default 6000. More:
                        RATE_LIMITED.
  CONTACTS_PER_USER_PER_HOUR
                        Contact requests one user may make in an hour, from
                        all their sockets together. Default 200. More:
                        RATE_LIMITED.
  BLOCKS_PER_USER_PER_HOUR
                        Block and unblock commands of one user in an hour.
                        Default 200. More: RATE_LIMITED.
  MAX_BLOCKED_PER_USER  Users one user may have blocked at once. Default
                        1000. More: FORBIDDEN.
  PROFILE_CHANGES_PER_USER_PER_HOUR
                        Display name changes of one user in an hour (each
                        reaches everyone who lists them). Default 30. More:
                        RATE_LIMITED.
  SEARCHES_PER_USER_PER_MINUTE
                        Searches one user may run in a minute, from all
                        their sockets together. Default 120. More:
                        RATE_LIMITED.
  SEARCH_SCAN_LIMIT     Most index matches one search examines before its
                        page ends with hasMore (at least 100). Default 5000.
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
  TRUST_PROXY           Proxies in front whose X-Forwarded-For is believed
                        for the client address: 0 (default) uses the TCP
                        peer; N takes the Nth entry from the right (1: the
                        rightmost, added by the nearest proxy). Set it
                        behind a proxy, or every client counts as the
                        proxy's address.
  LOG_LEVEL             pino level: trace, debug, info (default), warn, error, silent.

HTTP limits and exposure:
  MAX_CONNECTIONS       Open TCP connections for the whole server, HTTP and
                        WebSocket alike (default 21000); past it a new
                        connection is closed on arrival. Keep it above the
                        WebSocket cap (so /healthz still answers when the
                        sockets are at theirs) and below the descriptor
                        limit (ulimit -n) less ~100.
  HTTP_HEADERS_TIMEOUT_MS    A request's line and headers must arrive within
                        this (default 10000), or its connection is closed.
  HTTP_REQUEST_TIMEOUT_MS    The whole request, body included (default 30000;
                        at least HTTP_HEADERS_TIMEOUT_MS).
  HTTP_KEEPALIVE_TIMEOUT_MS  An idle keep-alive connection is closed after
                        this (default 5000).
  HTTP_IDLE_TIMEOUT_MS  A connection with no traffic either way for this long
                        (a client that stopped reading) is closed (default
                        60000; WebSockets have their own heartbeat instead).
  HEALTH_CACHE_MS       /healthz probes the database at most once per this
                        (default 1000); answers in between reuse the result.
  WAL_SIZE_LIMIT_MIB    The WAL file is cut back to this once a checkpoint
                        has emptied it (default 64).
  BEHIND_TLS=1          Clients reach the server over HTTPS (a proxy
                        terminates TLS): send Strict-Transport-Security.
  METRICS               Who may GET /metrics: loopback (default; 127.0.0.0/8
                        and ::1, not through a proxy), token, open, or off.
  METRICS_TOKEN         The bearer token for METRICS=token (implies it when
                        METRICS is not given).
  SESSION_PURGE_INTERVAL_MS  How often expired sessions are deleted from the
                        database (default 60000).

What one user can make the server send to others:
  TYPING_NOTICE_INTERVAL_MS  Typing notices of one user in one conversation
                        are relayed at most once per this (default 1000),
                        from all their sockets; those within it are coalesced
                        into the last state, relayed when it ends. 0: each.
  TYPING_CONVERSATIONS_PER_USER  Conversations one user is shown typing in
                        at once (default 3); a start for one more is dropped.
  TYPING_TYPERS_PER_CONVERSATION  Users one conversation shows typing at once
                        (default 5); a start from one more is dropped.
  RECEIPT_NOTICE_INTERVAL_MS  Receipts notify at most once per this (default
                        1000) in each stream: a user's own positions in one
                        conversation, a conversation's receipts: subscribers,
                        the members whose lowest-of-the-others moved; those
                        within it are notified when it ends. 0: each.
  PRESENCE_OFFLINE_GRACE_MS  A user whose last socket closes goes offline for
                        their contacts this long after (default 3000); a
                        socket back within it notifies nobody. 0: at once.

Login, sign-up and password hashing limits (positive integers; ms where named so):
${authSettingsHelp()}

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
  const maxGroupMembers = whole(env, 'MAX_GROUP_MEMBERS', 3);
  const groupsPerHour = whole(env, 'GROUPS_PER_HOUR', 1);
  const sendsPerUserPerMinute = whole(env, 'SENDS_PER_USER_PER_MINUTE', 1);
  const contactsPerUserPerHour = whole(env, 'CONTACTS_PER_USER_PER_HOUR', 1);
  const blocksPerUserPerHour = whole(env, 'BLOCKS_PER_USER_PER_HOUR', 1);
  const maxBlockedPerUser = whole(env, 'MAX_BLOCKED_PER_USER', 1);
  const profileChangesPerUserPerHour = whole(env, 'PROFILE_CHANGES_PER_USER_PER_HOUR', 1);
  const searchesPerUserPerMinute = whole(env, 'SEARCHES_PER_USER_PER_MINUTE', 1);
  const searchScanLimit = whole(env, 'SEARCH_SCAN_LIMIT', 100);
  const origins = env['ALLOWED_ORIGINS']?.split(',').map((o) => o.trim()).filter(Boolean);
  const metricsToken = env['METRICS_TOKEN'] || undefined;
  const metricsAccess = env['METRICS'] ?? (metricsToken ? 'token' : undefined);
  if (metricsAccess !== undefined && !['open', 'loopback', 'token', 'off'].includes(metricsAccess)) {
    throw new Error(`METRICS must be open, loopback, token or off, got ${JSON.stringify(metricsAccess)}`);
  }
  if (metricsAccess === 'token' && (!metricsToken || metricsToken.length < 16)) {
    throw new Error('METRICS=token needs METRICS_TOKEN of at least 16 characters');
  }
  const headersTimeout = whole(env, 'HTTP_HEADERS_TIMEOUT_MS', 1);
  const requestTimeout = whole(env, 'HTTP_REQUEST_TIMEOUT_MS', 1);
  const walMiB = whole(env, 'WAL_SIZE_LIMIT_MIB', 0);
  return {
    mock: values.mock === true || env['MOCK'] === '1' || env['MOCK'] === 'true',
    port,
    host: values.host ?? env['HOST'],
    dbPath: values.db ?? env['DB_PATH'],
    allowedOrigins: origins && origins.length > 0 ? origins : undefined,
    durability,
    distDir: env['DIST_DIR'],
    logLevel: env['LOG_LEVEL'] ?? 'info',
    maxConnections: whole(env, 'MAX_CONNECTIONS', 1),
    ...timeouts(headersTimeout, requestTimeout),
    httpKeepAliveTimeoutMs: whole(env, 'HTTP_KEEPALIVE_TIMEOUT_MS', 1),
    httpIdleTimeoutMs: whole(env, 'HTTP_IDLE_TIMEOUT_MS', 1),
    healthCacheMs: whole(env, 'HEALTH_CACHE_MS', 0),
    walSizeLimitBytes: walMiB === undefined ? undefined : walMiB * 1024 * 1024,
    behindTls: env['BEHIND_TLS'] === undefined ? undefined : env['BEHIND_TLS'] === '1' || env['BEHIND_TLS'] === 'true',
    metricsAccess: metricsAccess as ServerOptions['metricsAccess'],
    metricsToken,
    sessionPurgeIntervalMs: whole(env, 'SESSION_PURGE_INTERVAL_MS', 1),
    typingNoticeIntervalMs: whole(env, 'TYPING_NOTICE_INTERVAL_MS', 0),
    typingConversationsPerUser: whole(env, 'TYPING_CONVERSATIONS_PER_USER', 1),
    typingTypersPerConversation: whole(env, 'TYPING_TYPERS_PER_CONVERSATION', 1),
    receiptNoticeIntervalMs: whole(env, 'RECEIPT_NOTICE_INTERVAL_MS', 0),
    presenceOfflineGraceMs: whole(env, 'PRESENCE_OFFLINE_GRACE_MS', 0),
    limits: {
      maxGroupMembers,
      groupsPerHour,
      sendsPerUserPerMinute,
      contactsPerUserPerHour,
      blocksPerUserPerHour,
      maxBlockedPerUser,
      profileChangesPerUserPerHour,
      searchesPerUserPerMinute,
      searchScanLimit,
      ...authLimitsFromEnv(env),
    },
    maxSockets: whole(env, 'MAX_SOCKETS', 0),
    maxSocketsPerAddress: whole(env, 'MAX_SOCKETS_PER_ADDRESS', 0),
    maxPendingSocketsPerAddress: whole(env, 'MAX_PENDING_SOCKETS_PER_ADDRESS', 0),
    maxSocketsPerUser: whole(env, 'MAX_SOCKETS_PER_USER', 0),
    loginDeadlineMs: whole(env, 'LOGIN_DEADLINE_MS', 0),
    maxBufferedBytes: whole(env, 'MAX_BUFFERED_BYTES', 0),
    maxQueuedBytes: whole(env, 'MAX_QUEUED_BYTES', 0),
    maxSubscriptionsPerSocket: whole(env, 'MAX_SUBSCRIPTIONS_PER_SOCKET', 0),
    trustProxyHops: whole(env, 'TRUST_PROXY', 0),
  };
}

/** An environment variable holding a whole number of at least `min`, or undefined when unset. */
function whole(env: NodeJS.ProcessEnv, name: string, min: number): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be a whole number of at least ${min}, got ${JSON.stringify(text)}`);
  return value;
}

/** Node refuses a headers timeout longer than the request timeout; say so in our words. */
function timeouts(headers: number | undefined, request: number | undefined): Pick<ServerOptions, 'httpHeadersTimeoutMs' | 'httpRequestTimeoutMs'> {
  const defaults = defaultConfig();
  if ((headers ?? defaults.httpHeadersTimeoutMs) > (request ?? defaults.httpRequestTimeoutMs)) {
    throw new Error(`HTTP_HEADERS_TIMEOUT_MS (${headers ?? defaults.httpHeadersTimeoutMs}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${request ?? defaults.httpRequestTimeoutMs})`);
  }
  return { httpHeadersTimeoutMs: headers, httpRequestTimeoutMs: request };
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

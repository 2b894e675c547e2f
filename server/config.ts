import { DEFAULT_LIMITS, MAX_GROUP_MEMBERS } from '../src/protocol/index';

/**
 * Everything the server can be told. `startServer(options)` merges a partial
 * config over `defaultConfig()`; `main.ts` builds the partial from flags and
 * environment variables. Durations are milliseconds.
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** The body limit is not one of them: it is the protocol's (BodySchema), the same for every server. */
export interface ServerLimits {
  maxFrameBytes: number;
  commandsPerSecond: number;
  commandBurst: number;
  floodCloseAfterMs: number;
  loginFailuresAllowed: number;
  loginFailureWindowMs: number;
  heartbeatIntervalMs: number;
  messagesPageDefault: number;
  messagesPageMax: number;
  publicSessionIdleMs: number;
  publicSessionMaxMs: number;
  trustedSessionMs: number;
  trustedSessionMaxMs: number;
  cookieCodeTtlMs: number;
  loginDelayBaseMs: number;
  loginDelayMaxMs: number;
  loginFailuresPerAddress: number;
  loginFailuresPerUsername: number;
  passwordLoginsPerUsername: number;
  tokenLoginFailuresPerAddress: number;
  accountCreationsPerAddress: number;
  accountCreationWindowMs: number;
  accountCreationsTotal: number;
  passwordHashConcurrency: number;
  passwordHashQueue: number;
  passwordHashQueuePerAddress: number;
  sessionsPerUser: number;
  throttleMaxEntries: number;
  maxGroupMembers: number;
  groupsPerHour: number;
  sendsPerUserPerMinute: number;
  contactsPerUserPerHour: number;
  blocksPerUserPerHour: number;
  maxBlockedPerUser: number;
  profileChangesPerUserPerHour: number;
  searchesPerUserPerMinute: number;
  searchScanLimit: number;
}

/**
 * The login, sign-up and hashing limits (server/auth), with their defaults,
 * environment variables and --help lines. Failures are counted when an
 * attempt starts. The failure window is `loginFailureWindowMs` (15 min,
 * LOGIN_FAILURE_WINDOW_MS); the first LOGIN_FAILURES_ALLOWED (5) failures of
 * one username from one address are free, each further one doubles the wait.
 */
export const AUTH_SETTINGS = [
  { key: 'loginFailuresAllowed', env: 'LOGIN_FAILURES_ALLOWED', value: DEFAULT_LIMITS.loginFailuresAllowed, help: 'Failed logins of one username from one address before each next attempt must wait.' },
  { key: 'loginFailureWindowMs', env: 'LOGIN_FAILURE_WINDOW_MS', value: DEFAULT_LIMITS.loginFailureWindowMs, help: 'Window of the failure budgets below; a (username, address) with no failure for this long after its wait starts afresh.' },
  { key: 'loginDelayBaseMs', env: 'LOGIN_DELAY_BASE_MS', value: 1000, help: 'First wait after the allowed failures; it doubles with each further failure.' },
  { key: 'loginDelayMaxMs', env: 'LOGIN_DELAY_MAX_MS', value: 15 * 60_000, help: 'Longest wait of one (username, address).' },
  { key: 'loginFailuresPerAddress', env: 'LOGIN_FAILURES_PER_ADDRESS', value: 20, help: 'Failed password logins per address per window, over all usernames (IPv6 counts by /64).' },
  { key: 'loginFailuresPerUsername', env: 'LOGIN_FAILURES_PER_USERNAME', value: 100, help: 'Failed logins per username per window, over all addresses; an address that logged in as that user within the trusted-session lifetime is exempt.' },
  { key: 'passwordLoginsPerUsername', env: 'PASSWORD_LOGINS_PER_USERNAME', value: 30, help: 'Successful password logins per username per window (each costs a hash; devices stay logged in by token), so one account cannot keep the password checks busy for everyone.' },
  { key: 'tokenLoginFailuresPerAddress', env: 'TOKEN_LOGIN_FAILURES_PER_ADDRESS', value: 60, help: 'Token logins with an unknown or expired token per address per window.' },
  { key: 'accountCreationsPerAddress', env: 'ACCOUNT_CREATIONS_PER_ADDRESS', value: 10, help: 'Sign-up attempts per address per ACCOUNT_CREATION_WINDOW_MS (taken names count too).' },
  { key: 'accountCreationWindowMs', env: 'ACCOUNT_CREATION_WINDOW_MS', value: 60 * 60_000, help: 'Window of the sign-up budgets.' },
  { key: 'accountCreationsTotal', env: 'ACCOUNT_CREATIONS_TOTAL', value: 1000, help: 'Sign-up attempts per window over all addresses, so that many addresses together cannot fill the disk with accounts.' },
  { key: 'passwordHashConcurrency', env: 'PASSWORD_HASH_CONCURRENCY', value: 2, help: 'Password hashes (scrypt) running at once; the rest of the libuv pool stays free for files.' },
  { key: 'passwordHashQueue', env: 'PASSWORD_HASH_QUEUE', value: 32, help: 'Hashes waiting for a slot; beyond it a login answers THROTTLED and a sign-up RATE_LIMITED at once.' },
  { key: 'passwordHashQueuePerAddress', env: 'PASSWORD_HASH_QUEUE_PER_ADDRESS', value: 8, help: 'Hashes running or waiting for one address.' },
  { key: 'sessionsPerUser', env: 'SESSIONS_PER_USER', value: 100, help: 'Stored sessions per user; a login beyond it ends the least recently used one.' },
  { key: 'throttleMaxEntries', env: 'THROTTLE_MAX_ENTRIES', value: 200_000, help: 'Counters the throttles keep in memory; past it the stalest are dropped.' },
] as const satisfies readonly { key: keyof ServerLimits; env: string; value: number; help: string }[];

type AuthKey = (typeof AUTH_SETTINGS)[number]['key'];

/** The AUTH_SETTINGS lines of --help. */
export function authSettingsHelp(): string {
  const indent = ' '.repeat(34);
  return AUTH_SETTINGS.map((s) => {
    const lines: string[] = [];
    let line = `  ${s.env.padEnd(32)}`;
    for (const word of `${s.help} Default ${s.value}.`.split(' ')) {
      if (line.length + word.length + 1 > 80 && line.trim() !== s.env) {
        lines.push(line);
        line = indent + word;
      } else line += (line.endsWith(' ') ? '' : ' ') + word;
    }
    return [...lines, line].join('\n');
  }).join('\n');
}

/** The AUTH_SETTINGS given in the environment; a value that is not a positive integer is refused with its name. */
export function authLimitsFromEnv(env: NodeJS.ProcessEnv): Partial<ServerLimits> {
  const limits: Partial<Record<AuthKey, number>> = {};
  for (const { key, env: name } of AUTH_SETTINGS) {
    const text = env[name];
    if (text === undefined || text === '') continue;
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(text)}`);
    limits[key] = value;
  }
  return limits;
}

function authDefaults(): Record<AuthKey, number> {
  return Object.fromEntries(AUTH_SETTINGS.map((s) => [s.key, s.value])) as Record<AuthKey, number>;
}

export interface ServerConfig {
  host: string;
  /** 0 picks a free port; `RunningServer.port` tells which. */
  port: number;
  /** A file path, or `:memory:`. */
  dbPath: string;
  /** Origins allowed to open a socket; null means the server's own origins. */
  allowedOrigins: string[] | null;
  /** Demo data and the /__test__/ controls. */
  mock: boolean;
  /** `normal` survives a process crash (WAL + synchronous=NORMAL); `full` also survives power loss. */
  durability: 'normal' | 'full';
  /** Where the built app lives (vite output). */
  distDir: string;
  logLevel: string;
  limits: ServerLimits;
  /** Cost of new password hashes; verification always uses the cost stored in the hash. */
  scrypt: ScryptParams;
  /**
   * A socket whose unsent output exceeds this when the server writes to it
   * (any frame: reply, error, notification) is closed with 1008 and gets no
   * more work; it reconnects and resyncs. 0: no cap. MAX_BUFFERED_BYTES.
   */
  maxBufferedBytes: number;
  /** Bytes of received commands one socket may have waiting for earlier ones (a login, a history page); beyond, RATE_LIMITED. 0: no cap. MAX_QUEUED_BYTES. */
  maxQueuedBytes: number;
  /** Subscriptions one socket may hold; beyond, SubscribeCommand is refused with RATE_LIMITED. 0: no cap. MAX_SUBSCRIPTIONS_PER_SOCKET. */
  maxSubscriptionsPerSocket: number;
  /** Open WebSockets in this process; when full, the longest-waiting socket not logged in makes room (4408), else 503. 0: no cap. MAX_SOCKETS. */
  maxSockets: number;
  /** Open WebSockets per client address (IPv6: per /64); beyond, 429. 0: no cap. MAX_SOCKETS_PER_ADDRESS. */
  maxSocketsPerAddress: number;
  /** Of those, sockets not yet logged in; beyond, 429. 0: no cap. MAX_PENDING_SOCKETS_PER_ADDRESS. */
  maxPendingSocketsPerAddress: number;
  /** Logged-in sockets per user; a login beyond closes that socket with 4429. 0: no cap. MAX_SOCKETS_PER_USER. */
  maxSocketsPerUser: number;
  /** A socket not logged in this long after opening (or after logging out) is closed with 4408. 0: no deadline. LOGIN_DEADLINE_MS. */
  loginDeadlineMs: number;
  /**
   * Proxies in front of the server whose X-Forwarded-For is believed: 0
   * (off) counts the TCP peer; N takes the Nth address from the right of
   * X-Forwarded-For (1: the rightmost, the one the nearest proxy added).
   * TRUST_PROXY.
   */
  trustProxyHops: number;
  /** How often live sessions are checked for expiry. */
  sessionSweepIntervalMs: number;
  /**
   * Conversations with at least this many members notify `conversations`
   * of their new messages (and full entries) at most once per
   * `largeGroupNotifyIntervalMs`: a patch of about 200 bytes to every
   * member, shared by the messages of the interval; smaller ones once per
   * event-loop turn. 0 turns the interval off.
   */
  largeGroupMembers: number;
  largeGroupNotifyIntervalMs: number;
  /**
   * Typing notices of one user in one conversation are relayed at most once
   * per this interval, whichever sockets they come from; those within it are
   * coalesced into one at its end (the web client repeats `typing: true`
   * every 3 s). TYPING_NOTICE_INTERVAL_MS.
   */
  typingNoticeIntervalMs: number;
  /** Conversations one user may be shown typing in at once; a `typing: true` for one more is dropped. TYPING_CONVERSATIONS_PER_USER. */
  typingConversationsPerUser: number;
  /** Users one conversation shows typing at once; a `typing: true` from one more is dropped. TYPING_TYPERS_PER_CONVERSATION. */
  typingTypersPerConversation: number;
  /**
   * A user whose last socket closes stays online this long before going
   * offline (a reload or a reconnect within it notifies nobody), so that
   * flapping sockets cannot make a presence notification to every contact
   * each time. 0: offline at once. PRESENCE_OFFLINE_GRACE_MS.
   */
  presenceOfflineGraceMs: number;
  /**
   * Receipts notify at most once per this interval in each stream (a
   * user's own positions in one conversation; a conversation's `receipts:`
   * subscribers; the members whose lowest-of-the-others moved,
   * hub/receipt-notifier.ts); a receipt within it is written and answered as
   * any other, and notified when the interval ends. 0: each receipt
   * notifies. RECEIPT_NOTICE_INTERVAL_MS.
   */
  receiptNoticeIntervalMs: number;
  /**
   * The HTTP server (server/http/http-server.ts). maxConnections caps the
   * TCP connections of the whole server, HTTP and WebSocket alike (past it a
   * new connection is closed at once); the timeouts cut off requests that
   * never finish (headers, then the whole request), idle keep-alive
   * sockets, and responses the client stops reading.
   */
  maxConnections: number;
  httpHeadersTimeoutMs: number;
  httpRequestTimeoutMs: number;
  httpKeepAliveTimeoutMs: number;
  httpIdleTimeoutMs: number;
  /** /healthz probes the database at most once per this period; the answers in between reuse the last result. */
  healthCacheMs: number;
  /** Bytes the WAL file is cut back to once a checkpoint has emptied it (SQLite journal_size_limit). */
  walSizeLimitBytes: number;
  /** The server is reached over TLS (a proxy terminates it): responses carry Strict-Transport-Security. */
  behindTls: boolean;
  /** Who may read /metrics: anyone, loopback peers not forwarded by a proxy, holders of `metricsToken`, or nobody. */
  metricsAccess: 'open' | 'loopback' | 'token' | 'off';
  /** The bearer token for metricsAccess 'token'. */
  metricsToken: string | null;
  /** How often expired sessions are deleted from the database. */
  sessionPurgeIntervalMs: number;
}

/** OWASP's scrypt recommendation: N=2^16, r=8, p=1. */
export const OWASP_SCRYPT: ScryptParams = { N: 2 ** 16, r: 8, p: 1 };

export function defaultConfig(): ServerConfig {
  return {
    host: '127.0.0.1',
    port: 8080,
    dbPath: 'data/tidings.db',
    allowedOrigins: null,
    mock: false,
    durability: 'normal',
    distDir: 'dist',
    // Tests start servers in-process; they stay quiet unless asked.
    logLevel: process.env['LOG_LEVEL'] ?? (process.env['VITEST'] ? 'silent' : 'info'),
    limits: { ...DEFAULT_LIMITS, ...authDefaults() },
    scrypt: { ...OWASP_SCRYPT },
    maxBufferedBytes: 4 * 1024 * 1024,
    maxQueuedBytes: 1024 * 1024,
    maxSubscriptionsPerSocket: 5000,
    maxSockets: 20_000,
    maxSocketsPerAddress: 100,
    maxPendingSocketsPerAddress: 20,
    maxSocketsPerUser: 50,
    loginDeadlineMs: 10_000,
    trustProxyHops: 0,
    sessionSweepIntervalMs: 30_000,
    largeGroupMembers: 32,
    largeGroupNotifyIntervalMs: 1000,
    typingNoticeIntervalMs: 1000,
    typingConversationsPerUser: 3,
    typingTypersPerConversation: 5,
    presenceOfflineGraceMs: 3000,
    receiptNoticeIntervalMs: 1000,
    // Room above the WebSocket cap (20,000 sockets) for plain HTTP: /healthz and the app's files still get through when the sockets are at theirs.
    maxConnections: 21_000,
    httpHeadersTimeoutMs: 10_000,
    httpRequestTimeoutMs: 30_000,
    httpKeepAliveTimeoutMs: 5_000,
    httpIdleTimeoutMs: 60_000,
    healthCacheMs: 1000,
    walSizeLimitBytes: 64 * 1024 * 1024,
    behindTls: false,
    metricsAccess: 'loopback',
    metricsToken: null,
    sessionPurgeIntervalMs: 60_000,
  };
}

export type ServerOptions = Partial<Omit<ServerConfig, 'limits' | 'scrypt'>> & {
  limits?: Partial<ServerLimits>;
  scrypt?: Partial<ScryptParams>;
  /** The clock of sessions, codes, throttles and quotas (tests move it; default Date.now). Not a setting: never in ServerConfig. */
  now?: () => number;
};

export function resolveConfig(options: ServerOptions = {}): ServerConfig {
  const base = defaultConfig();
  const { now: _clock, ...settings } = options;
  const config = {
    ...base,
    ...stripUndefined(settings),
    limits: { ...base.limits, ...stripUndefined(options.limits ?? {}) },
    scrypt: { ...base.scrypt, ...stripUndefined(options.scrypt ?? {}) },
  } as ServerConfig;
  // A larger group's entry could outgrow the largest reply (src/protocol/limits.ts).
  const members = config.limits.maxGroupMembers;
  if (!Number.isInteger(members) || members < 3 || members > MAX_GROUP_MEMBERS) {
    throw new Error(`maxGroupMembers must be an integer 3-${MAX_GROUP_MEMBERS}, got ${members}`);
  }
  return config;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The origins a browser uses to reach this server: http://HOST:PORT, plus the
 * loopback aliases when the server listens on a loopback or wildcard address.
 */
export function ownOrigins(host: string, port: number): string[] {
  const hosts = new Set<string>([host.includes(':') ? `[${host}]` : host]);
  if (['127.0.0.1', 'localhost', '0.0.0.0', '::1', '::'].includes(host)) {
    hosts.add('127.0.0.1');
    hosts.add('localhost');
  }
  return [...hosts].map((h) => `http://${h}:${port}`);
}

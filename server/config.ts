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

export interface ServerLimits {
  maxFrameBytes: number;
  maxBodyLength: number;
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
  maxGroupMembers: number;
  groupsPerHour: number;
  sendsPerUserPerMinute: number;
  contactsPerUserPerHour: number;
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
  /** A socket whose unsent output exceeds this is closed with 1008 (it reconnects and resyncs). */
  maxBufferedBytes: number;
  /** How often live sessions are checked for expiry. */
  sessionSweepIntervalMs: number;
  /**
   * Conversations with at least this many members notify `conversations` at
   * most once per `largeGroupNotifyIntervalMs` (the entry carries every
   * member's receipts, so one notification costs O(members²) bytes); smaller
   * ones once per event-loop turn. 0 turns the interval off.
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
   * The receipts of one user in one conversation notify the members'
   * `conversations` at most once per this interval; a receipt within it is
   * written and answered as any other, and notified when the interval ends. 0: each
   * receipt notifies. RECEIPT_NOTICE_INTERVAL_MS.
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
    limits: { ...DEFAULT_LIMITS },
    scrypt: { ...OWASP_SCRYPT },
    maxBufferedBytes: 4 * 1024 * 1024,
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
};

export function resolveConfig(options: ServerOptions = {}): ServerConfig {
  const base = defaultConfig();
  const config = {
    ...base,
    ...stripUndefined(options),
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

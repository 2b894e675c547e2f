import { DEFAULT_LIMITS } from '../src/protocol/index';

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
  /**
   * Typing notices one socket may have relayed per second, in bursts of twice
   * that (a real client sends one per conversation every 3 s while typing);
   * beyond, they are dropped: each fans out to every subscriber of the
   * conversation, and the receivers' indicators expire by themselves.
   * TYPING_NOTICES_PER_SECOND.
   */
  typingPerSecond: number;
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
   * Conversations with at least this many members notify `conversations` at
   * most once per `largeGroupNotifyIntervalMs` (the entry carries every
   * member's receipts, so one notification costs O(members²) bytes); smaller
   * ones once per event-loop turn. 0 turns the interval off.
   */
  largeGroupMembers: number;
  largeGroupNotifyIntervalMs: number;
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
    maxQueuedBytes: 1024 * 1024,
    maxSubscriptionsPerSocket: 5000,
    typingPerSecond: 5,
    maxSockets: 20_000,
    maxSocketsPerAddress: 100,
    maxPendingSocketsPerAddress: 20,
    maxSocketsPerUser: 50,
    loginDeadlineMs: 10_000,
    trustProxyHops: 0,
    sessionSweepIntervalMs: 30_000,
    largeGroupMembers: 32,
    largeGroupNotifyIntervalMs: 1000,
  };
}

export type ServerOptions = Partial<Omit<ServerConfig, 'limits' | 'scrypt'>> & {
  limits?: Partial<ServerLimits>;
  scrypt?: Partial<ScryptParams>;
};

export function resolveConfig(options: ServerOptions = {}): ServerConfig {
  const base = defaultConfig();
  return {
    ...base,
    ...stripUndefined(options),
    limits: { ...base.limits, ...stripUndefined(options.limits ?? {}) },
    scrypt: { ...base.scrypt, ...stripUndefined(options.scrypt ?? {}) },
  } as ServerConfig;
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

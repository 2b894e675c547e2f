import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HashQueue } from './auth/hash-queue';
import { LoginThrottle } from './auth/login-throttle';
import { hashPassword } from './auth/password';
import { SessionRegistry } from './auth/session-registry';
import { MemoryThrottleStore } from './auth/throttle-store';
import { ownOrigins, resolveConfig, type ServerConfig, type ServerOptions } from './config';
import { Gateway } from './gateway/gateway';
import type { Services } from './handlers/context';
import { MemoryNoticeCoalescer } from './handlers/notice-coalescer';
import { MemoryTypingGate, TYPING_EXPIRY_MS } from './handlers/typing-gate';
import { UserQuotas } from './handlers/user-quotas';
import { SendPath } from './handlers/send-path';
import { DatabaseHealth } from './http/health';
import { createHttpServer, logServerErrors } from './http/http-server';
import { createRouter } from './http/router';
import { buildCsp } from './http/security-headers';
import type { TestControls } from './http/test-controls';
import { ConversationNotifier } from './hub/conversation-notifier';
import { ReceiptNotifier } from './hub/receipt-notifier';
import { Hub } from './hub/hub';
import { Presence } from './hub/presence';
import { ResourceVersions } from './hub/versions';
import { createLogger, type Logger } from './logger';
import { ServerMetrics } from './metrics';
import { demoPasswordHashes, seedDemo } from './mock/demo-data';
import { closeDatabase, openDatabase, type Db } from './storage/database';
import { MessageWriter, type BatchWriter } from './storage/message-writer';
import { Seeder } from './storage/seed';
import { startSessionPurge } from './storage/session-purge';
import { Storage } from './storage/storage';
import { ThreadMessageWriter, startWriterThread } from './storage/thread-writer';

/** WAL pages after which the writer thread has the WAL rewound (SQLite's default checkpoint threshold is 1,000). */
const WAL_AUTOCHECKPOINT_PAGES = 4_000;
/** The main connection's automatic checkpoint: a backstop only, as the writer thread's own is (4 x the threshold). */
const MAIN_BACKSTOP_PAGES = 4 * WAL_AUTOCHECKPOINT_PAGES;
/** PASSIVE checkpoints this often on the checkpointer thread, beside the writer's commits (storage/wal-checkpointer.mjs). */
const CHECKPOINTER_MS = 100;

/** A started server. `url` is http://host:port; the socket is at `${url}/ws`. */
export interface RunningServer {
  url: string;
  wsUrl: string;
  port: number;
  host: string;
  config: ServerConfig;
  db: Db;
  storage: Storage;
  /** Fast bulk seeding (see server/storage/seed.ts). */
  seeder: Seeder;
  metrics: ServerMetrics;
  logger: Logger;
  /** Open sockets right now. */
  connectionCount(): number;
  /** Closes sockets with 1001, flushes pending sends, closes the database. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Composes the server: database and repositories, group-commit writer, hub,
 * sessions, gateway and HTTP routes; listens, and resolves once sockets are
 * accepted. Port 0 picks a free port. Used by main.ts, tests and benchmarks.
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const config = resolveConfig(options);
  if (config.mock && options.dbPath === undefined) config.dbPath = ':memory:';
  const logger = createLogger(config.logLevel);
  const metrics = new ServerMetrics();
  const db = openDatabase(config.dbPath, config.durability, config.walSizeLimitBytes);
  const storage = new Storage(db);
  // A database file gets the writer thread (storage/thread-writer.ts): the
  // message transactions run there on its own connection, and a checkpointer
  // thread beside it copies the WAL into the database file while commits go
  // on, the writer pausing only for a short final pass each 4,000 pages
  // (SQLite's default is 1,000; hot pages are copied a quarter as often:
  // 46-47 -> 38 µs of writer CPU per message, bench/writer-cost.ts; WAL
  // ~16-25 MiB at most). This connection's own automatic checkpoint is only
  // a backstop, at the writer's backstop of 16,000 pages, which normal
  // operation never reaches, so no checkpoint copy or fsync runs on the event
  // loop then. It is there for a run of writes on this connection (logins,
  // sessions, contacts): a checkpoint on another thread never catches up with
  // them, since this connection commits while it copies, so the WAL only grew
  // (12,000 session inserts a second: 788 MiB in 4 s before a pass happened
  // to reach its end; with the backstop ~64-70 MiB). Run here, between two of
  // this connection's commits, the pass reaches the end unless another
  // connection is committing too. A ':memory:' database cannot be shared
  // with a thread: it keeps the in-process writer.
  const threaded = config.dbPath !== ':memory:';
  if (threaded) db.pragma(`wal_autocheckpoint = ${MAIN_BACKSTOP_PAGES}`);
  const seeder = new Seeder(db, () => storage.conversations.forgetCached());
  const now = Date.now;
  const hub = new Hub();
  const versions = new ResourceVersions(now);
  const writer: BatchWriter = threaded
    ? new ThreadMessageWriter(
        () =>
          startWriterThread({
            path: config.dbPath,
            durability: config.durability,
            autocheckpointPages: WAL_AUTOCHECKPOINT_PAGES,
            checkpointerMs: CHECKPOINTER_MS,
            walSizeLimitBytes: config.walSizeLimitBytes,
          }),
        {
          onLost: () => storage.conversations.forgetCached(),
          onThreadError: (err) => logger.error({ err }, 'writer thread failed'),
        },
      )
    : new MessageWriter(db);
  const conversationNotifier = new ConversationNotifier(storage, versions, hub, {
    members: config.largeGroupMembers,
    intervalMs: config.largeGroupNotifyIntervalMs,
  });
  const receiptNotices = new MemoryNoticeCoalescer(config.receiptNoticeIntervalMs);
  const receiptNotifier = new ReceiptNotifier(storage, hub, versions, receiptNotices, conversationNotifier);
  let dummyHash: Promise<string> | null = null;
  const throttleStore = new MemoryThrottleStore(config.limits.throttleMaxEntries, now);
  const hashes = new HashQueue({
    concurrency: config.limits.passwordHashConcurrency,
    maxWaiting: config.limits.passwordHashQueue,
    perAddress: config.limits.passwordHashQueuePerAddress,
  });
  metrics.observeAuth(throttleStore, hashes);
  const services: Services = {
    config,
    storage,
    sendPath: new SendPath({ writer, conversations: storage.conversations, hub, conversationNotifier, receiptNotifier, metrics, logger }),
    hub,
    conversationNotifier,
    presence: new Presence(storage, hub, versions, now, config.presenceOfflineGraceMs),
    typingGate: new MemoryTypingGate(
      { intervalMs: config.typingNoticeIntervalMs, conversationsPerUser: config.typingConversationsPerUser, typersPerConversation: config.typingTypersPerConversation, expiryMs: TYPING_EXPIRY_MS },
      now,
    ),
    receiptNotices,
    receiptNotifier,
    versions,
    sessions: new SessionRegistry(storage.sessions, config.limits, now),
    throttle: new LoginThrottle(throttleStore, config.limits),
    hashes,
    userQuotas: new UserQuotas(config.limits, now),
    metrics,
    logger,
    now,
    dummyPasswordHash: () => (dummyHash ??= hashPassword('not-a-real-password', config.scrypt)),
  };

  // A mock server on a database file that already holds data (a restart in
  // an e2e test) keeps that data instead of seeding over it.
  const empty = db.prepare('SELECT COUNT(*) FROM users').pluck().get() === 0;
  if (config.mock && empty) seedDemo(db, await demoPasswordHashes(config.scrypt));

  let accepting = false;
  let allowed = new Set<string>();
  const gateway = new Gateway(services, (origin) => allowed.has(origin));
  const testControls: TestControls | null = config.mock
    ? {
        drop: () => gateway.closeAll(1012, 'test control: drop'),
        pause: (ms) => gateway.pause(ms),
        reset: async () => {
          gateway.closeAll(1012, 'test control: reset');
          await services.sendPath.flush();
          const hashes = await demoPasswordHashes(config.scrypt);
          db.transaction(() => {
            seeder.clear();
            seedDemo(db, hashes);
          })();
          storage.conversations.forgetCached();
          services.sessions.clear();
          services.throttle.clear();
          versions.reset();
        },
        state: () => ({
          connections: gateway.connections.size,
          onlineUsers: services.presence.onlineUsers,
          paused: gateway.paused,
          messageCounts: storage.messages.countsByConversation(),
        }),
      }
    : null;

  const http: Server = createHttpServer(config, metrics, logger);
  http.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => {
      http.off('error', reject);
      logServerErrors(http, logger);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const origins = ownOrigins(config.host, port);
  allowed = new Set(config.allowedOrigins ?? origins);
  const route = createRouter({
    distDir: config.distDir,
    csp: buildCsp([...new Set([...origins, ...(config.allowedOrigins ?? [])])]),
    health: new DatabaseHealth(storage, config.healthCacheMs),
    metrics,
    logger,
    accepting: () => accepting,
    isOwnOrigin: (origin) => allowed.has(origin),
    settings: config,
    testControls,
  });
  http.on('request', route);
  const stopSessionPurge = startSessionPurge(storage.sessions, config.limits, config.sessionPurgeIntervalMs, logger, now);
  accepting = true;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${hostForUrl}:${port}`;

  let closing: Promise<void> | null = null;
  return {
    url,
    wsUrl: `ws://${hostForUrl}:${port}/ws`,
    port,
    host: config.host,
    config,
    db,
    storage,
    seeder,
    metrics,
    logger,
    connectionCount: () => gateway.connections.size,
    close: () =>
      (closing ??= (async () => {
        accepting = false;
        stopSessionPurge();
        await gateway.close();
        try {
          // Pending sends committed and answered; the writer thread checkpoints (TRUNCATE), closes its connection and exits.
          await services.sendPath.close();
        } catch (err) {
          logger.error({ err }, 'closing the message writer failed');
        }
        services.conversationNotifier.stop();
        services.typingGate.stop();
        services.receiptNotices.stop();
        services.presence.stop();
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
        closeDatabase(db);
        logger.info('server stopped');
      })()),
  };
}

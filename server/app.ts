import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messagesResource } from '../src/protocol/index';
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
import { DatabaseHealth } from './http/health';
import { createHttpServer, logServerErrors } from './http/http-server';
import { createRouter } from './http/router';
import { buildCsp } from './http/security-headers';
import type { TestControls } from './http/test-controls';
import { chunksWithin, messageBytes } from './hub/byte-chunks';
import { ConversationNotifier } from './hub/conversation-notifier';
import { Hub, messagesKey } from './hub/hub';
import { encodeMessagesChanged } from './hub/message-json';
import { Presence } from './hub/presence';
import { SendOrigins } from './hub/send-origins';
import { ResourceVersions } from './hub/versions';
import { createLogger, type Logger } from './logger';
import { ServerMetrics } from './metrics';
import { demoPasswordHashes, seedDemo } from './mock/demo-data';
import { closeDatabase, openDatabase, type Db } from './storage/database';
import { MessageWriter, type CommittedBatch, type SendWriter } from './storage/message-writer';
import { Seeder } from './storage/seed';
import { startSessionPurge } from './storage/session-purge';
import { Storage } from './storage/storage';
import { ThreadMessageWriter } from './storage/thread-writer';

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
  /** The group-commit writer (on its own thread and connection for a database file). */
  writer: SendWriter;
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
    writer: threaded
      ? new ThreadMessageWriter({
          path: config.dbPath,
          durability: config.durability,
          autocheckpointPages: WAL_AUTOCHECKPOINT_PAGES,
          checkpointerMs: CHECKPOINTER_MS,
          walSizeLimitBytes: config.walSizeLimitBytes,
          onCommitted: (batch, seconds, size) => onCommitted(batch, seconds, size),
          onLost: () => storage.conversations.forgetCached(),
          onThreadError: (err) => logger.error({ err }, 'writer thread failed'),
        })
      : new MessageWriter(db, (batch, seconds, size) => onCommitted(batch, seconds, size)),
    hub,
    conversationNotifier: new ConversationNotifier(storage, versions, hub, {
      members: config.largeGroupMembers,
      intervalMs: config.largeGroupNotifyIntervalMs,
    }),
    presence: new Presence(storage, hub, versions, now, config.presenceOfflineGraceMs),
    typingGate: new MemoryTypingGate(
      { intervalMs: config.typingNoticeIntervalMs, conversationsPerUser: config.typingConversationsPerUser, typersPerConversation: config.typingTypersPerConversation, expiryMs: TYPING_EXPIRY_MS },
      now,
    ),
    receiptNotices: new MemoryNoticeCoalescer(config.receiptNoticeIntervalMs),
    sendOrigins: new SendOrigins(),
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

  /**
   * Runs right after COMMIT, before the senders' promises resolve: the
   * cached conversation entries move with the commit before anyone reads
   * them; the notifications go out a turn later, after the acks. The acks
   * are written in this turn into their sockets held corked (`Hub.hold`,
   * from sendMessage) until those notifications are written too: a sender's
   * ack, anything answered after it, and its notifications leave in that
   * order in one write.
   */
  function onCommitted(batch: CommittedBatch, seconds: number, size: number): void {
    storage.conversations.committed(batch.latestSeq, batch.updatedAt, batch.positions);
    metrics.commitTime.observe(seconds);
    metrics.commitBatchSize.observe(size);
    const release = hub.openHold();
    setImmediate(() => {
      try {
        // Shutdown may have closed the database in between.
        if (db.open) notifyCommitted(batch);
      } catch (err) {
        logger.error({ err }, 'notifying a committed batch failed');
      } finally {
        release();
      }
    });
  }

  /**
   * One messages notification per conversation of the batch (several when
   * its messages pass MAX_REPLY_BYTES), then one conversations notification
   * per socket for all of them (coalesced), all
   * written with each socket corked: a recipient's frames leave in one write.
   * The messages notification leaves out the socket that sent every message
   * of the batch for that conversation: its acks carried them already
   * (docs/PROTOCOL.md, section 3); the user's other sockets still get it.
   */
  function notifyCommitted(batch: CommittedBatch): void {
    const byConversation = new Map<string, CommittedBatch['created']>();
    for (const m of batch.created) {
      let list = byConversation.get(m.conversationId);
      if (!list) byConversation.set(m.conversationId, (list = []));
      list.push(m);
    }
    hub.batch(() => {
      for (const [conversationId, created] of byConversation) {
        // A batch of long bodies can pass the largest frame: consecutive runs then, each with its last seq as version.
        const chunks = chunksWithin(created, messageBytes);
        chunks.forEach((chunk, i) => {
          const last = chunk[chunk.length - 1]!.seq;
          const version = i === chunks.length - 1 ? (batch.latestSeq.get(conversationId) ?? last) : last;
          // The messages' JSON was made for the senders' acks; it is spliced in, not made again.
          hub.notifyEncoded(
            [messagesKey(conversationId)],
            () => encodeMessagesChanged(messagesResource(conversationId), version, chunk),
            services.sendOrigins.soleSender(chunk),
          );
        });
        services.conversationNotifier.changed(conversationId);
      }
      services.conversationNotifier.flush();
    });
  }

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
          await services.writer.flush();
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
    writer: services.writer,
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
          // Pending sends committed; the writer thread checkpoints (TRUNCATE), closes its connection and exits.
          await services.writer.close();
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

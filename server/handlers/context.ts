import type { ClientCommandName, ClientCommands, ServerMessageName } from '../../src/protocol/index';
import type { HashQueue } from '../auth/hash-queue';
import type { LoginThrottle } from '../auth/login-throttle';
import type { SessionRegistry } from '../auth/session-registry';
import type { ServerConfig } from '../config';
import type { Connection } from '../gateway/connection';
import type { ConversationNotifier } from '../hub/conversation-notifier';
import type { Hub } from '../hub/hub';
import type { Presence } from '../hub/presence';
import type { ReceiptNotifier } from '../hub/receipt-notifier';
import type { ResourceVersions } from '../hub/versions';
import type { Logger } from '../logger';
import type { ServerMetrics } from '../metrics';
import type { Storage } from '../storage/storage';
import type { NoticeCoalescer } from './notice-coalescer';
import type { TypingGate } from './typing-gate';
import type { UserQuotas } from './user-quotas';
import type { SendPath } from './send-path';

/**
 * Everything the handlers work with: built once per server in app.ts, no
 * module-level singletons, handed whole to the dispatcher. Each handler
 * area names the part it uses beside its handlers (`MessagesServices` in
 * messages.ts, a `Pick` of these), so a reader and a test see what it needs.
 */
export interface Services {
  config: ServerConfig;
  storage: Storage;
  /** Sends and receipts: queued, committed in batches, answered and notified after COMMIT. */
  sendPath: SendPath;
  hub: Hub;
  /** `conversations` notifications: full entries per caller, or patches of what moved (one frame per socket per pass). */
  conversationNotifier: ConversationNotifier;
  presence: Presence;
  /** What typing notices are relayed (per user and conversation). */
  typingGate: TypingGate;
  /** The intervals of receipt notices (per author and conversation, per conversation's receipts and summaries). */
  receiptNotices: NoticeCoalescer;
  /** What receipts, and changes of members, tell the `receipts:<id>` subscribers and the members' `conversations`. */
  receiptNotifier: ReceiptNotifier;
  versions: ResourceVersions;
  sessions: SessionRegistry;
  throttle: LoginThrottle;
  /** Every password hash and check goes through it (bounded, so files and other pool work never wait behind a burst of logins). */
  hashes: HashQueue;
  /** Limits per user across all their sockets (sends per minute, contacts added per hour). */
  userQuotas: UserQuotas;
  metrics: ServerMetrics;
  logger: Logger;
  now: () => number;
  /** A hash to verify against when the username is unknown, so timing does not reveal accounts. */
  dummyPasswordHash: () => Promise<string>;
}

/** A handler's answer; the dispatcher adds the requestId. A handler that returns none answers later (the send path). */
export interface Reply {
  name: ServerMessageName;
  payload: object;
  /** The frame of `name` and `payload` (plus the requestId) encoded by the handler, when it can do so cheaper. */
  encode?: (requestId: string | undefined) => string;
}

export type Handler<K extends ClientCommandName> = (
  conn: Connection,
  payload: ClientCommands[K],
  services: Services,
) => Promise<Reply | void> | Reply | void;

export type HandlerTable = { [K in ClientCommandName]: Handler<K> };

/** The logged-in user of a connection; the dispatcher guarantees one for post-login commands. */
export function userIdOf(conn: Connection): string {
  if (!conn.user) throw new Error('handler reached without a logged-in user');
  return conn.user.id;
}

import type { Communicator } from '../communicator/communicator';
import { backoffDelay } from '../communicator/backoff';
import { ConnectionError } from '../communicator/connection-error';
import type { Dispatch } from '../dispatch/dispatch';
import { BodySchema, ClientMessageIdSchema, ProtocolError, type ErrorCode, type ServerMessages } from '../protocol';
import { viewOfOutboxEntry, type MessageView } from '../models/message-state';
import type { OutboxLeadership } from '../offline/outbox-leadership';
import { canResume, type OutboxEntry } from '../store/records';
import type { Store } from '../store/store';

declare module '../dispatch/bus-events' {
  interface BusEvents {
    /** The person wrote a message (the typing controller stops announcing typing). */
    'message:written': { conversationId: string; clientMessageId: string };
  }
}

/** What the views may ask of the outbox. */
export interface OutboxActions {
  /** Local echo at once, then sent (now or when back online). Returns the new message. */
  send(conversationId: string, body: string): MessageView;
  retry(clientMessageId: string): void;
  /** How many messages are not yet acknowledged. */
  pendingCount(): number;
}

export interface OutboxControllerOptions {
  dispatch: Dispatch;
  communicator: Communicator;
  store: Store;
  /** Who "I" am, from the session. */
  selfId(): string | null;
  /** Sends per second at most, under the server's 50 so receipts and pings fit too. */
  sendsPerSecond?: number;
  /** Wait for an answer this long before resending (same clientMessageId, so no duplicate). */
  sendTimeoutMs?: number;
  random?: () => number;
  newId?: () => string;
  /**
   * Which tab of the device flushes the shared outbox (a Web Lock). Only the
   * leader sends; the others write into the outbox and show it. null: this
   * tab always sends (tests, or no cross-tab storage to share).
   */
  leadership?: Pick<OutboxLeadership, 'isLeader' | 'onChange' | 'acquire' | 'release'> | null;
}

/** Refusals that retrying unchanged cannot fix: the message is marked failed. */
const FINAL_REFUSALS: ReadonlySet<ErrorCode> = new Set(['FORBIDDEN', 'INVALID_PAYLOAD', 'NOT_FOUND']);
const RATE_BACKOFF = { baseMs: 1000, maxMs: 30_000 };

/**
 * The durable queue of unacknowledged sends. A send is stored and shown at
 * once (pending), sent when the session is ready, and resent with the same
 * clientMessageId after each login, oldest first. One message per
 * conversation is in flight at a time, so the server's seqs follow the
 * order written even when some sends are refused or rate-limited.
 *
 * A trusted session's outbox is shared by every tab of the device (one
 * IndexedDB), so only the tab holding the outbox lock sends it: the others
 * keep writing into it, and the leader hears of their entries through the
 * store (src/offline/outbox-tab-sync.ts mirrors outbox changes between tabs).
 * A public-computer session's outbox is the tab's own memory: it always sends.
 */
export class OutboxController implements OutboxActions {
  private readonly options: OutboxControllerOptions;
  /** Per conversation, the clientMessageId on the wire (one at a time, so the seqs follow the order written). */
  private readonly inFlight = new Map<string, string>();
  private sentAt: number[] = [];
  private pausedUntil = 0;
  private refusals = 0;
  private ready = false;
  private lastCreatedAt = 0;
  private order = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly stops: (() => void)[] = [];

  constructor(options: OutboxControllerOptions) {
    this.options = options;
    const { dispatch, leadership } = options;
    this.stops.push(
      dispatch.subscribe('session:ready', () => {
        this.ready = true;
        this.inFlight.clear();
        this.claimLeadership(true);
        this.pump();
      }),
      // A trusted session loaded from disk at start: queue for the lock at once, online or not.
      dispatch.subscribe('store:change:session', () => this.claimLeadership()),
      // An answer that came after its request timed out reaches the bus (an answer in time goes
      // to the request's promise only). It counts all the same: on a link slower than the
      // timeout, waiting for the answer to the latest resend only would never finish.
      dispatch.subscribe('SendMessageResponse', (response) => {
        const entry = this.options.store.find('outbox', response.clientMessageId);
        if (entry && response.message.senderId === entry.senderId) this.acknowledged(entry, response);
      }),
      dispatch.subscribe('connection:close', () => this.halt()),
      dispatch.subscribe('session:ended', () => {
        this.halt();
        // Logged out (or the token died): another tab may lead for its own session.
        leadership?.release();
      }),
      // An entry another tab wrote (mirrored into this store), retried or discarded there, or
      // one the store settled because its message was stored (a notification, another tab).
      dispatch.subscribe('store:change:outbox', () => this.pump()),
    );
    if (leadership) this.stops.push(leadership.onChange((leader) => (leader ? this.pump() : this.halt())));
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
    this.halt();
    this.options.leadership?.release();
  }

  send(conversationId: string, body: string): MessageView {
    const senderId = this.options.selfId();
    if (senderId === null) throw new ProtocolError('NOT_AUTHENTICATED', 'log in before sending a message');
    const checked = BodySchema.safeParse(body);
    if (!checked.success) throw new ProtocolError('INVALID_PAYLOAD', `body: ${checked.error.issues[0]?.message ?? 'invalid'}`, 'SendMessageCommand');
    const clientMessageId = ClientMessageIdSchema.parse(this.options.newId?.() ?? crypto.randomUUID());
    // createdAt orders the outbox and the echoes, so it never repeats or goes back.
    this.lastCreatedAt = Math.max(Date.now(), this.lastCreatedAt + 1, ...this.options.store.findAll('outbox').map((e) => e.createdAt + 1));
    const entry: OutboxEntry = {
      id: clientMessageId,
      clientMessageId,
      conversationId,
      senderId,
      body,
      createdAt: this.lastCreatedAt,
      order: ++this.order,
      state: 'pending',
    };
    this.options.store.addItems('outbox', { [clientMessageId]: entry });
    this.options.dispatch.emit('message:written', { conversationId, clientMessageId });
    this.pump();
    return viewOfOutboxEntry(entry);
  }

  retry(clientMessageId: string): void {
    const entry = this.options.store.find('outbox', clientMessageId);
    if (!entry || entry.state !== 'failed') return;
    const { error: _dropped, ...rest } = entry;
    this.options.store.addItems('outbox', { [clientMessageId]: { ...rest, state: 'pending' } });
    this.pump();
  }

  pendingCount(): number {
    return this.options.store.findAll('outbox').length;
  }

  /** Whether this tab sends the outbox: the leader of a shared one, or the owner of its own. */
  isFlushing(): boolean {
    const { leadership, store } = this.options;
    return !leadership || !store.isPersistent() || leadership.isLeader();
  }

  /**
   * Queues for the lock of a shared (trusted, stored) outbox; the grant, now
   * or when the leader tab goes, pumps. `live`: a session just logged in
   * (its cookie may still be on its way); otherwise the stored session must
   * be one that can be resumed (by token or cookie), not one that expired.
   */
  private claimLeadership(live = false): void {
    const { leadership, store } = this.options;
    if (leadership && store.isPersistent() && (live || canResume(store.find('session', 'current')))) void leadership.acquire();
  }

  /** Sends what may go now, oldest first, within the pace; schedules itself for the rest. */
  private pump(): void {
    this.clearTimer();
    const { communicator, store } = this.options;
    if (!this.ready || !communicator.isOpen() || !this.isFlushing()) return;
    const now = Date.now();
    if (now < this.pausedUntil) return this.schedule(this.pausedUntil - now);
    const limit = this.options.sendsPerSecond ?? 40;
    this.sentAt = this.sentAt.filter((t) => now - t < 1000);
    const queue = store.findAll('outbox').filter((e) => e.state === 'pending').sort(byAge);
    const blocked = new Set<string>();
    for (const entry of queue) {
      if (this.inFlight.has(entry.conversationId) || blocked.has(entry.conversationId)) {
        blocked.add(entry.conversationId);
        continue;
      }
      if (this.sentAt.length >= limit) return this.schedule(this.sentAt[0]! + 1000 - now);
      this.transmit(entry, now);
      blocked.add(entry.conversationId);
    }
  }

  private transmit(entry: OutboxEntry, now: number): void {
    this.inFlight.set(entry.conversationId, entry.clientMessageId);
    this.sentAt.push(now);
    const { conversationId, clientMessageId, body } = entry;
    this.options.communicator
      .request('SendMessageCommand', { conversationId, clientMessageId, body }, this.options.sendTimeoutMs ?? 30_000)
      .then(
        (response) => this.acknowledged(entry, response),
        (error: unknown) => this.refused(entry, error),
      );
  }

  /**
   * The server stored it: storing the server message settles the entry (the store removes it
   * right after the message, so the echo turns into it in place). Removed here too in case the
   * store refused the message as contradicting what it holds: the server has it all the same.
   */
  private acknowledged(entry: OutboxEntry, response: ServerMessages['SendMessageResponse']): void {
    const freed = this.release(entry);
    if (this.options.store.find('outbox', entry.clientMessageId)) {
      this.refusals = 0;
      this.options.store.addMessages([response.message]);
      this.options.store.removeItems('outbox', [entry.clientMessageId]);
    } else if (!freed) return;
    // The entry may have gone already (the server's notification stored the message first): its
    // conversation is free for the next one all the same.
    this.pump();
  }

  /** Frees the conversation for its next message, unless another message of it is on the wire by now. */
  private release(entry: OutboxEntry): boolean {
    if (this.inFlight.get(entry.conversationId) !== entry.clientMessageId) return false;
    this.inFlight.delete(entry.conversationId);
    return true;
  }

  private refused(entry: OutboxEntry, error: unknown): void {
    // An answer for a request that is no longer the one on the wire (its socket
    // closed and a new session resent, or the entry was acknowledged) changes nothing.
    if (!this.release(entry)) return;
    if (error instanceof ConnectionError) {
      // DISCONNECTED: the next session-ready resends. TIMEOUT/OFFLINE: try again shortly.
      if (error.code !== 'DISCONNECTED') this.schedule(2000);
      return;
    }
    const code: ErrorCode = error instanceof ProtocolError ? error.code : 'INTERNAL';
    const current = this.options.store.find('outbox', entry.clientMessageId);
    if (current && FINAL_REFUSALS.has(code)) {
      const message = error instanceof Error ? error.message : String(error);
      this.options.store.addItems('outbox', { [entry.clientMessageId]: { ...current, state: 'failed', error: { code, message } } });
      this.pump();
      return;
    }
    // RATE_LIMITED and transient server trouble: back off the whole outbox, then resume in order.
    this.pausedUntil = Date.now() + backoffDelay(this.refusals++, this.options.random ?? Math.random, RATE_BACKOFF);
    this.pump();
  }

  private halt(): void {
    this.ready = false;
    this.inFlight.clear();
    this.clearTimer();
  }

  private schedule(delayMs: number): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
    }, Math.max(0, delayMs));
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

function byAge(a: OutboxEntry, b: OutboxEntry): number {
  return a.createdAt - b.createdAt || a.order - b.order;
}

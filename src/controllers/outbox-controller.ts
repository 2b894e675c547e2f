import type { Communicator } from '../communicator/communicator';
import { backoffDelay } from '../communicator/backoff';
import { ConnectionError } from '../communicator/connection-error';
import type { Dispatch } from '../dispatch/dispatch';
import { ClientMessageIdSchema, EmojiSchema, ProtocolError, TitleSchema, type ErrorCode } from '../protocol';
import { viewOfOutboxEntry, type MessageView } from '../models/message-state';
import { isMessageChangeEntry, type OutboxEntry, type OutboxKind } from '../store/records';
import type { OutboxLeadership } from '../offline/outbox-leadership';
import type { Store } from '../store/store';
import { mergeDelete, mergeEdit, mergeReact, type MergeResult } from './outbox-merge';
import { changeableMessage, checkBody, checkId, groupOnly, memberOnly } from './outbox-checks';
import { ANSWER_NAMES, REFUSAL_SENTENCES, refusalOf, resolveMessageId, transmitEntry, type OutboxAnswer } from './outbox-wire';

declare module '../dispatch/bus-events' {
  interface BusEvents {
    /** The person wrote a message (the typing controller stops announcing typing). */
    'message:written': { conversationId: string; clientMessageId: string };
  }
}

/**
 * What the views may ask of the outbox. Every change goes through it, in
 * order, exactly once, offline or not, each with a clientMessageId made
 * when the person acts. A message id may be `local:<clientMessageId>` for a
 * message of mine not sent yet: an edit or deletion of it changes or removes
 * the queued send instead of going out.
 */
export interface OutboxActions {
  /** Local echo at once, then sent (now or when back online). Returns the new message. */
  send(conversationId: string, body: string, options?: { replyTo?: string | null }): MessageView;
  edit(conversationId: string, messageId: string, body: string): void;
  deleteMessage(conversationId: string, messageId: string): void;
  react(conversationId: string, messageId: string, emoji: string, on: boolean): void;
  renameConversation(conversationId: string, title: string): void;
  addMembers(conversationId: string, memberIds: string[]): void;
  /** Removes a member of a group; my own id leaves it. */
  removeMember(conversationId: string, memberId: string): void;
  /** Puts a failed change back in the queue, unchanged. */
  retry(clientMessageId: string): void;
  /** Drops a failed change from the outbox; its local effect goes with it. */
  dismiss(clientMessageId: string): void;
  /** How many changes are not yet acknowledged. */
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

/** Refusals that retrying unchanged cannot fix: the change is marked failed, with a sentence saying why. */
const FINAL_REFUSALS: ReadonlySet<ErrorCode> = new Set(['FORBIDDEN', 'INVALID_PAYLOAD', 'NOT_FOUND', 'GONE']);
const RATE_BACKOFF = { baseMs: 1000, maxMs: 30_000 };

/** What the person's action says of a new outbox entry of one kind; the rest is made when they act. */
type EntryOfKind<K extends OutboxKind> = Extract<OutboxEntry, { kind: K }>;
type NewEntry<K extends OutboxKind> = Omit<EntryOfKind<K>, 'id' | 'clientMessageId' | 'conversationId' | 'senderId' | 'createdAt' | 'order' | 'state'> & { kind: K };

/**
 * The durable queue of every change the person makes to a conversation
 * (section 8): sends, edits, deletions, reactions, renames, members added
 * and removed. A change is stored and shown at once (pending), sent when
 * the session is ready, and resent with the same clientMessageId after
 * each login, oldest first. One entry per conversation is in flight at a
 * time, so the server's seqs follow the order the person acted in, across
 * kinds, even when some are refused or rate-limited. Changes to what has
 * not gone out yet are merged into it first (outbox-merge.ts).
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
  /** What went on the wire for each entry in flight: a send whose body changed since (another tab's edit) becomes an edit when answered. */
  private readonly transmitted = new Map<string, OutboxEntry>();
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
        this.claimLeadership();
        this.pump();
      }),
      // A trusted session loaded from disk at start: queue for the lock at once, online or not.
      dispatch.subscribe('store:change:session', () => this.claimLeadership()),
      dispatch.subscribe('connection:close', () => this.halt()),
      dispatch.subscribe('session:ended', () => {
        this.halt();
        // Logged out (or the token died): another tab may lead for its own session.
        leadership?.release();
      }),
      // An entry another tab wrote (mirrored into this store), retried or discarded there, or
      // one the store settled because its entry was stored (a notification, another tab).
      dispatch.subscribe('store:change:outbox', () => this.pump()),
      // Removed from a group: what has not gone out for it fails (the server would refuse it).
      dispatch.subscribe('store:change:conversations', ({ conversations }) => this.failForLeftConversations(conversations)),
      // A message deleted meanwhile: unsent edits and reactions of it fail, and an edit's text goes.
      dispatch.subscribe('store:change:messages', ({ messages }) => this.failForDeletedMessages(messages)),
    );
    // An answer that came after its request timed out reaches the bus (an answer in time goes
    // to the request's promise only). It counts all the same: on a link slower than the
    // timeout, waiting for the answer to the latest resend only would never finish.
    for (const name of ANSWER_NAMES) {
      this.stops.push(
        dispatch.subscribe(name, (response) => {
          const answer: OutboxAnswer = 'message' in response ? { clientMessageId: response.clientMessageId, entry: response.message } : response;
          const entry = this.options.store.find('outbox', answer.clientMessageId);
          if (entry && (answer.entry === null || answer.entry.senderId === entry.senderId)) this.acknowledged(entry, answer);
        }),
      );
    }
    if (leadership) this.stops.push(leadership.onChange((leader) => (leader ? this.pump() : this.halt())));
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
    this.halt();
    this.options.leadership?.release();
  }

  send(conversationId: string, body: string, options: { replyTo?: string | null } = {}): MessageView {
    checkBody(body, 'SendMessageCommand');
    memberOnly(this.options.store, this.self(), conversationId, 'SendMessageCommand');
    const replyTo = options.replyTo ?? null;
    if (replyTo !== null && !replyTo.startsWith('local:')) checkId(replyTo, 'replyTo', 'SendMessageCommand');
    const entry = this.newEntry(conversationId, { kind: 'send', body, replyTo });
    this.options.store.addItems('outbox', { [entry.clientMessageId]: entry });
    this.options.dispatch.emit('message:written', { conversationId, clientMessageId: entry.clientMessageId });
    this.pump();
    return viewOfOutboxEntry(entry);
  }

  edit(conversationId: string, messageId: string, body: string): void {
    checkBody(body, 'EditMessageCommand');
    const targetId = changeableMessage(this.options.store, this.self(), conversationId, messageId, 'EditMessageCommand', true);
    this.apply(mergeEdit(this.outbox(), this.newEntry(conversationId, { kind: 'edit', targetId, body })));
  }

  deleteMessage(conversationId: string, messageId: string): void {
    const targetId = changeableMessage(this.options.store, this.self(), conversationId, messageId, 'DeleteMessageCommand', true);
    this.apply(mergeDelete(this.outbox(), this.newEntry(conversationId, { kind: 'delete', targetId })));
  }

  react(conversationId: string, messageId: string, emoji: string, on: boolean): void {
    const checked = EmojiSchema.safeParse(emoji);
    if (!checked.success) throw new ProtocolError('INVALID_PAYLOAD', `emoji: ${checked.error.issues[0]?.message ?? 'invalid'}`, 'ReactCommand');
    const targetId = changeableMessage(this.options.store, this.self(), conversationId, messageId, 'ReactCommand', false);
    this.apply(mergeReact(this.outbox(), this.newEntry(conversationId, { kind: 'react', targetId, emoji, on })));
  }

  renameConversation(conversationId: string, title: string): void {
    const checked = TitleSchema.safeParse(title);
    if (!checked.success) throw new ProtocolError('INVALID_PAYLOAD', `title: ${checked.error.issues[0]?.message ?? 'invalid'}`, 'RenameConversationCommand');
    groupOnly(this.options.store, this.self(), conversationId, 'RenameConversationCommand');
    this.apply({ put: [this.newEntry(conversationId, { kind: 'rename', title: checked.data })], remove: [] });
  }

  addMembers(conversationId: string, memberIds: string[]): void {
    if (memberIds.length === 0) throw new ProtocolError('INVALID_PAYLOAD', 'memberIds must name at least one person to add', 'AddMembersCommand');
    for (const id of memberIds) checkId(id, 'memberIds', 'AddMembersCommand');
    groupOnly(this.options.store, this.self(), conversationId, 'AddMembersCommand');
    this.apply({ put: [this.newEntry(conversationId, { kind: 'addMembers', memberIds: [...new Set(memberIds)] })], remove: [] });
  }

  removeMember(conversationId: string, memberId: string): void {
    checkId(memberId, 'memberId', 'RemoveMemberCommand');
    groupOnly(this.options.store, this.self(), conversationId, 'RemoveMemberCommand');
    this.apply({ put: [this.newEntry(conversationId, { kind: 'removeMember', memberId })], remove: [] });
  }

  retry(clientMessageId: string): void {
    const entry = this.options.store.find('outbox', clientMessageId);
    if (!entry || entry.state !== 'failed') return;
    const { error: _dropped, ...rest } = entry;
    this.options.store.addItems('outbox', { [clientMessageId]: { ...rest, state: 'pending' } as OutboxEntry });
    this.pump();
  }

  dismiss(clientMessageId: string): void {
    const entry = this.options.store.find('outbox', clientMessageId);
    // Only a refused change: a pending one may be on the wire, and the server would still store it.
    if (!entry || entry.state !== 'failed') return;
    const dropped = [clientMessageId];
    // A message that was never sent takes its own changes with it.
    if (entry.kind === 'send') dropped.push(...this.outbox().filter((e) => isMessageChangeEntry(e) && e.targetId === `local:${clientMessageId}`).map((e) => e.clientMessageId));
    this.options.store.removeItems('outbox', dropped);
  }

  pendingCount(): number {
    return this.options.store.findAll('outbox').length;
  }

  /** Whether this tab sends the outbox: the leader of a shared one, or the owner of its own. */
  isFlushing(): boolean {
    const { leadership, store } = this.options;
    return !leadership || !store.isPersistent() || leadership.isLeader();
  }

  private outbox(): OutboxEntry[] {
    return this.options.store.findAll('outbox');
  }

  private self(): string {
    const senderId = this.options.selfId();
    if (senderId === null) throw new ProtocolError('NOT_AUTHENTICATED', 'log in before changing a conversation');
    return senderId;
  }

  /** A new entry with a fresh clientMessageId and its place in the outbox, made when the person acts. */
  private newEntry<K extends OutboxKind>(conversationId: string, fields: NewEntry<K>): EntryOfKind<K> {
    const senderId = this.self();
    const clientMessageId = ClientMessageIdSchema.parse(this.options.newId?.() ?? crypto.randomUUID());
    // createdAt orders the outbox and the echoes, so it never repeats or goes back.
    this.lastCreatedAt = Math.max(Date.now(), this.lastCreatedAt + 1, ...this.outbox().map((e) => e.createdAt + 1));
    return { ...fields, id: clientMessageId, clientMessageId, conversationId, senderId, createdAt: this.lastCreatedAt, order: ++this.order, state: 'pending' } as EntryOfKind<K>;
  }

  private apply(result: MergeResult): void {
    const { store } = this.options;
    if (result.put.length) store.addItems('outbox', Object.fromEntries(result.put.map((e) => [e.clientMessageId, e])));
    if (result.remove.length) store.removeItems('outbox', result.remove);
    this.pump();
  }

  /** Queues for the lock of a shared (trusted, stored) outbox; the grant, now or when the leader tab goes, pumps. */
  private claimLeadership(): void {
    const { leadership, store } = this.options;
    if (leadership && store.isPersistent() && store.find('session', 'current')?.sessionToken) void leadership.acquire();
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
    const { store, communicator } = this.options;
    this.inFlight.set(entry.conversationId, entry.clientMessageId);
    this.sentAt.push(now);
    // From now on the server may hold it: later changes queue behind it instead of merging into it.
    const sent = entry.attempted ? entry : ({ ...entry, attempted: true } as OutboxEntry);
    if (sent !== entry) store.addItems('outbox', { [entry.clientMessageId]: sent });
    this.transmitted.set(entry.clientMessageId, sent);
    const resolve = (messageId: string): string | null => resolveMessageId(store, entry.conversationId, entry.senderId, messageId);
    transmitEntry(communicator, sent, resolve, this.options.sendTimeoutMs ?? 30_000).then(
      (answer) => this.acknowledged(sent, answer),
      (error: unknown) => this.refused(sent, error),
    );
  }

  /**
   * The server stored it (or found nothing to change): storing its entry
   * settles the outbox entry (the store removes it right after the entry,
   * so an echo turns into the row in place). Removed here too for answers
   * with no entry, or one the store refused as contradicting what it holds.
   */
  private acknowledged(entry: OutboxEntry, answer: OutboxAnswer): void {
    const { store } = this.options;
    const freed = this.release(entry);
    const current = store.find('outbox', entry.clientMessageId);
    const wireCopy = this.transmitted.get(entry.clientMessageId);
    this.transmitted.delete(entry.clientMessageId);
    if (current) {
      this.refusals = 0;
      if (answer.entry) store.addEntries([answer.entry]);
      if (answer.target) store.applyMessage(answer.target);
      store.removeItems('outbox', [entry.clientMessageId]);
      this.keepLateEdit(current, wireCopy, answer);
    } else if (!freed) return;
    // The entry may have gone already (the server's notification stored it first): its
    // conversation is free for the next one all the same.
    this.pump();
  }

  /**
   * Another tab may have merged an edit into a send this tab already had
   * on the wire (it had not heard yet that the send went out): the server
   * stored the text sent, so the newer text goes out as an edit.
   */
  private keepLateEdit(current: OutboxEntry, wireCopy: OutboxEntry | undefined, answer: OutboxAnswer): void {
    if (current.kind !== 'send' || wireCopy?.kind !== 'send' || current.body === wireCopy.body || answer.entry?.kind !== 'message') return;
    const edit = this.newEntry(current.conversationId, { kind: 'edit', targetId: answer.entry.id, body: current.body });
    this.options.store.addItems('outbox', { [edit.clientMessageId]: edit });
  }

  /** Frees the conversation for its next entry, unless another of it is on the wire by now. */
  private release(entry: OutboxEntry): boolean {
    if (this.inFlight.get(entry.conversationId) !== entry.clientMessageId) return false;
    this.inFlight.delete(entry.conversationId);
    return true;
  }

  private refused(entry: OutboxEntry, error: unknown): void {
    // An answer for a request that is no longer the one on the wire (its socket
    // closed and a new session resent, or the entry was acknowledged) changes nothing.
    if (!this.release(entry)) return;
    this.transmitted.delete(entry.clientMessageId);
    if (error instanceof ConnectionError) {
      // DISCONNECTED: the next session-ready resends. TIMEOUT/OFFLINE: try again shortly.
      if (error.code !== 'DISCONNECTED') this.schedule(2000);
      return;
    }
    const code: ErrorCode = error instanceof ProtocolError ? error.code : 'INTERNAL';
    const current = this.options.store.find('outbox', entry.clientMessageId);
    if (current && FINAL_REFUSALS.has(code)) {
      const serverMessage = error instanceof Error ? error.message : String(error);
      const failure = refusalOf(current, code, serverMessage, this.isMemberOf(current.conversationId));
      // An edit of a message deleted meanwhile keeps no text of it on the device.
      const kept: OutboxEntry = code === 'GONE' && current.kind === 'edit' ? { ...current, body: '' } : current;
      this.options.store.addItems('outbox', { [entry.clientMessageId]: { ...kept, state: 'failed', error: failure } });
      this.pump();
      return;
    }
    // RATE_LIMITED and transient server trouble: back off the whole outbox, then resume in order.
    this.pausedUntil = Date.now() + backoffDelay(this.refusals++, this.options.random ?? Math.random, RATE_BACKOFF);
    this.pump();
  }

  private isMemberOf(conversationId: string): boolean {
    const conversation = this.options.store.find('conversations', conversationId);
    const self = this.options.selfId();
    return !conversation || (self !== null && conversation.memberIds.includes(self));
  }

  /**
   * A conversation I was removed from (or left) takes nothing more: its
   * entries that never went out fail with the sentence saying so. One on
   * the wire already is still resent, since the server may have stored it
   * before the removal and answers a resend as it did then.
   */
  private failForLeftConversations(ids: string[]): void {
    const left = new Set(ids.filter((id) => !this.isMemberOf(id)));
    if (left.size === 0) return;
    this.failUnsent((e) => left.has(e.conversationId) && e.state === 'pending' && !e.attempted, { code: 'FORBIDDEN', message: REFUSAL_SENTENCES.FORBIDDEN });
  }

  /** Unsent edits and reactions of a message deleted meanwhile fail as GONE; an edit's text is erased with the message's. */
  private failForDeletedMessages(ids: string[]): void {
    const { store } = this.options;
    const deleted = new Set(ids.filter((id) => {
      const stored = store.find('messages', id);
      return stored?.kind === 'message' && stored.deletedAt !== null;
    }));
    if (deleted.size === 0) return;
    this.failUnsent((e) => isMessageChangeEntry(e) && e.kind !== 'delete' && deleted.has(e.targetId) && e.state === 'pending' && !e.attempted, { code: 'GONE', message: REFUSAL_SENTENCES.GONE });
  }

  private failUnsent(matches: (entry: OutboxEntry) => boolean, error: { code: ErrorCode; message: string }): void {
    const failed = this.outbox().filter(matches).map((e): OutboxEntry => (e.kind === 'edit' ? { ...e, body: '', state: 'failed', error } : { ...e, state: 'failed', error }));
    if (failed.length) this.options.store.addItems('outbox', Object.fromEntries(failed.map((e) => [e.clientMessageId, e])));
  }

  private halt(): void {
    this.ready = false;
    this.inFlight.clear();
    this.transmitted.clear();
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


import type { Communicator } from '../communicator/communicator';
import type { Dispatch } from '../dispatch/dispatch';
import type { Store } from '../store/store';

/** What the views tell the receipts. */
export interface ReceiptActions {
  /** The conversation now on screen (null for none): its messages are marked read while visible. */
  setVisibleConversation(conversationId: string | null): void;
}

/** Whether the person can see the page: document visibility and focus in the app, a fake in tests. */
export interface VisibilitySource {
  isVisible(): boolean;
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

export interface ReceiptControllerOptions {
  dispatch: Dispatch;
  communicator: Communicator;
  store: Store;
  selfId(): string | null;
  visibility?: VisibilitySource | null;
  /** Receipts for a burst of messages go out once, after this quiet time. */
  debounceMs?: number;
  /** A conversation's receipt rounds are at least this far apart (default 1 s). */
  minIntervalMs?: number;
}

/**
 * Delivered and read receipts: AckMessagesCommand up to the contiguous seq
 * stored (debounced), and MarkReadCommand for the conversation on screen
 * while the page is visible. Both only move forward.
 *
 * Receipts are self-clocked: at most one round (ack and/or read) per
 * conversation is on the wire; the next one, carrying the newest position,
 * goes when that round is answered (or its socket is gone). Every receipt
 * makes the server notify `conversations` to every member, so on a slow link
 * a receipt per debounce from each of N members is N^2 notifications that
 * queue up in front of everything else (messages, send answers, pongs).
 * For the same reason a conversation's rounds are at least `minIntervalMs`
 * (1 s) apart: with a receipt per message, every message sent to a group of
 * N became about N notifications on each member's socket, which capped what
 * a group could carry over a slow link at a few messages a second. The
 * first receipt after a quiet spell still goes after the debounce.
 */
export class ReceiptController implements ReceiptActions {
  private readonly options: ReceiptControllerOptions;
  private readonly dirty = new Set<string>();
  /** Conversations with a receipt round on the wire, by round (a stale answer cannot free a newer round). */
  private readonly inFlight = new Map<string, object>();
  /** When each conversation's last receipt round went out. */
  private readonly lastRoundAt = new Map<string, number>();
  private visibleConversation: string | null = null;
  private ready = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly stops: (() => void)[] = [];
  private readonly onVisibility = (): void => this.touch(this.visibleConversation);

  constructor(options: ReceiptControllerOptions) {
    this.options = options;
    const { dispatch, store } = options;
    this.stops.push(
      dispatch.subscribe('session:ready', () => {
        this.ready = true;
        for (const conversation of store.findAll('conversations')) this.touch(conversation.id);
      }),
      dispatch.subscribe('connection:close', () => this.onSessionLost()),
      dispatch.subscribe('session:ended', () => this.onSessionLost()),
      dispatch.subscribe('store:change:meta', (change) => change.meta.forEach((id) => this.touch(id))),
      dispatch.subscribe('store:change:conversations', (change) => change.conversations.forEach((id) => this.touch(id))),
    );
    for (const type of ['visibilitychange', 'focus']) options.visibility?.addEventListener(type, this.onVisibility);
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
    for (const type of ['visibilitychange', 'focus']) this.options.visibility?.removeEventListener(type, this.onVisibility);
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private onSessionLost(): void {
    this.ready = false;
    // The answers will not come; session-ready touches every conversation again.
    this.inFlight.clear();
  }

  setVisibleConversation(conversationId: string | null): void {
    this.visibleConversation = conversationId;
    this.touch(conversationId);
  }

  private touch(conversationId: string | null): void {
    if (conversationId === null) return;
    this.dirty.add(conversationId);
    this.wake(this.options.debounceMs ?? 250);
  }

  private wake(delayMs: number): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.send();
    }, delayMs);
  }

  private send(): void {
    const { communicator, store } = this.options;
    const self = this.options.selfId();
    if (!this.ready || self === null || !communicator.isOpen()) return; // session-ready touches everything again
    const pageVisible = this.options.visibility?.isVisible() ?? true;
    const now = Date.now();
    const interval = this.options.minIntervalMs ?? 1000;
    let nextDue = Infinity;
    for (const conversationId of [...this.dirty]) {
      if (this.inFlight.has(conversationId)) continue; // stays dirty: sent when the round on the wire is answered
      const due = (this.lastRoundAt.get(conversationId) ?? -Infinity) + interval;
      if (due > now) {
        nextDue = Math.min(nextDue, due); // stays dirty: sent when the interval ends
        continue;
      }
      this.dirty.delete(conversationId);
      const conversation = store.find('conversations', conversationId);
      // A conversation I was removed from takes no receipts (the server would refuse them).
      if (!conversation || !conversation.memberIds.includes(self)) continue;
      const seq = store.syncPosition(conversationId).syncedSeq;
      let next = conversation;
      const round: Promise<unknown>[] = [];
      if (seq > conversation.myDeliveredSeq) {
        round.push(communicator.request('AckMessagesCommand', { conversationId, seq }));
        next = { ...next, myDeliveredSeq: seq };
      }
      if (conversationId === this.visibleConversation && pageVisible && seq > conversation.myReadSeq) {
        round.push(communicator.request('MarkReadCommand', { conversationId, seq }));
        next = { ...next, myReadSeq: seq };
      }
      if (round.length) {
        this.lastRoundAt.set(conversationId, now);
        this.awaitRound(conversationId, round);
      }
      // Our own position moves at once so unread counts drop without waiting for the server's echo.
      if (next !== conversation) store.addItems('conversations', { [conversationId]: next });
      this.dirty.delete(conversationId); // that local change is not news to send
    }
    if (nextDue !== Infinity) this.wake(nextDue - now);
  }

  /** Frees the conversation for its next receipt once this round is answered, refused or cut off. */
  private awaitRound(conversationId: string, round: Promise<unknown>[]): void {
    const token = {};
    this.inFlight.set(conversationId, token);
    void Promise.allSettled(round).then(() => {
      if (this.inFlight.get(conversationId) !== token) return;
      this.inFlight.delete(conversationId);
      if (this.dirty.has(conversationId)) this.touch(conversationId);
    });
  }
}

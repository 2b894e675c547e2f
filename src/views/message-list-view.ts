import Backbone from 'backbone';
import type { MessageView } from '../core/client-core-api';
import { rowNode, type RowContext } from './message-node';
import { buildRows, messageKey, type MessageRow } from './message-rows';
import { LANDING_CONTEXT_PX, UNREAD_ROW, UnseenCounter, unreadLineIndex, unreadLineNode, type UnreadRow } from './unread-line';
import { VirtualViewport, type Anchor } from './virtual-viewport';
import { isAtBottom } from './virtual-window';
import type { MessageModel } from './view-core';

type Row = MessageRow<MessageView> | { kind: 'start'; key: string } | UnreadRow;

/** Where the view is, for the "Jump to latest" button: off the bottom, and how many messages from others are below unseen. */
export interface ListPosition {
  atBottom: boolean;
  unseen: number;
}

/** Start loading older history when the viewport is this close to the top. */
const LOAD_OLDER_WITHIN = 900;
/** How long the original of a quote stays highlighted after the quote led to it. */
export const HIGHLIGHT_MS = 2000;

/**
 * The open conversation's history as a virtual list (VirtualViewport): only
 * the rows on screen plus a margin are in the DOM. It follows the messages
 * collection, pages older history in near the top without moving what the
 * person reads, and stays pinned to the bottom when it was there. Opened
 * with unread messages (`landAt`) it lands on the first of them, under a
 * "New messages" line that stays while the view lives. It triggers
 * `position` (ListPosition) when the bottom leaves or comes into view or the
 * count of unseen messages below changes.
 */
export class MessageListView extends Backbone.View {
  private viewport!: VirtualViewport<Row>;
  private stick = true;
  private frame = 0;
  private rebuildFrame = 0;
  private rebuildQueued = false;
  /** The message and day rows of `builtModels`, reused while new messages only land at the end. */
  private messageRows: Row[] = [];
  private builtModels: MessageModel[] = [];
  private rowsStale = true;
  private loading = false;
  private reachedStart = false;
  private resizeObserver: ResizeObserver | undefined;
  private highlighted: string | null = null;
  private highlightTimer: ReturnType<typeof setTimeout> | undefined;
  /** The first unread seq at opening, while the "New messages" line is shown; `landed` once the view went there. */
  private landing: { seq: number; landed: boolean } | null = null;
  private unseen = new UnseenCounter(Infinity);
  private position: ListPosition = { atBottom: true, unseen: 0 };

  override preinitialize(): void {
    this.className = 'message-scroller';
    this.events = { scroll: 'onScroll' };
  }

  constructor(
    private readonly messages: Backbone.Collection<MessageModel>,
    private readonly ctx: RowContext,
    private readonly loadOlder: () => Promise<boolean>,
  ) {
    super();
    this.el.setAttribute('role', 'log');
    this.el.setAttribute('aria-live', 'polite');
    this.el.setAttribute('aria-relevant', 'additions');
    this.el.setAttribute('aria-label', 'Messages');
    this.el.tabIndex = 0;
    const isMessage = (key: string) => key.startsWith('m:');
    const rowContext: RowContext = { ...this.ctx, highlightedKey: () => this.highlighted };
    this.viewport = new VirtualViewport<Row>(this.el, (row) => (row.kind === 'unread' ? unreadLineNode(row) : rowNode(row, rowContext)), (key) => (isMessage(key) ? 64 : 44), isMessage);
    // Removals and time changes regroup rows anywhere: rebuild them all next time.
    this.listenTo(messages, 'remove reset change:sentAt', () => (this.rowsStale = true));
    this.listenTo(messages, 'add', this.onAdd);
    this.listenTo(messages, 'remove reset sort change:seq change:sentAt', this.queueRebuild);
    this.listenTo(messages, 'change', this.onMessageChange);
    this.listenTo(messages, 'add change:body change:deletedAt change:id', this.onOriginalChange);
    // The viewport shrinks when the composer grows or the window resizes: keep the anchor (or the bottom).
    if (typeof ResizeObserver !== 'undefined') {
      this.resizeObserver = new ResizeObserver(() => this.viewport.render(this.viewport.anchor(this.stick)));
      this.resizeObserver.observe(this.el);
    }
  }

  override render(): this {
    this.rebuild(this.viewport.anchor(this.stick));
    return this;
  }

  /** Re-renders the visible rows, e.g. after receipts changed every state. */
  refreshVisible(): void {
    this.viewport.dropAll();
    this.viewport.render(this.viewport.anchor(this.stick));
  }

  /** Shows one message near the top of the viewport (a search result), marked until the next one; false when it is not in the list. */
  scrollToMessage(id: string): boolean {
    // The collection is keyed by messageKey (sender and clientMessageId), not by id.
    const model = this.messages.find((m) => m.get('id') === id);
    if (!model) return false;
    const key = messageKey(model.attributes as MessageView);
    this.stick = false;
    this.rebuild({ bottom: false, key, delta: -48 });
    const mark = (): void => {
      this.el.querySelectorAll('.is-found').forEach((el) => el.classList.remove('is-found'));
      this.el.querySelector(`[data-key="${CSS.escape(key)}"]`)?.classList.add('is-found');
    };
    mark();
    // Rows are measured and placed in the next frame; mark the one built then too.
    requestAnimationFrame(mark);
    return true;
  }

  scrollToBottom(): void {
    this.stick = true;
    // A jump before the landing happened wins over it.
    if (this.landing) this.landing.landed = true;
    this.viewport.render({ bottom: true });
    this.reportPosition();
  }

  /**
   * Opens the list at the first unread message (seq) under a "New messages"
   * line, instead of at the bottom; call before the first render. The line
   * stays where it is until the view goes; the landing waits for that
   * message to be loaded.
   */
  landAt(seq: number): void {
    this.landing = { seq, landed: false };
    this.unseen = new UnseenCounter(seq - 1);
  }

  override remove(): this {
    clearTimeout(this.highlightTimer);
    cancelAnimationFrame(this.frame);
    cancelAnimationFrame(this.rebuildFrame);
    this.resizeObserver?.disconnect();
    return super.remove();
  }

  /**
   * A message at the end while the view follows the bottom (the person's own
   * send, or a new message in a live chat) is shown in this task, not a frame
   * later: its rows are appended to the ones already built.
   */
  private onAdd(model: MessageModel): void {
    if (this.stick && this.messages.models.at(-1) === model && !this.rowsStale) {
      cancelAnimationFrame(this.rebuildFrame);
      this.rebuildQueued = false;
      this.rebuild({ bottom: true });
    } else this.queueRebuild();
  }

  private queueRebuild(): void {
    if (this.rebuildQueued) return;
    this.rebuildQueued = true;
    const anchor = this.viewport.anchor(this.stick);
    this.rebuildFrame = requestAnimationFrame(() => {
      this.rebuildQueued = false;
      this.rebuild(anchor);
    });
  }

  /**
   * The message and day rows in the collection's order (the messages'
   * one order, src/models/message-order.ts), extending the last ones when
   * only new messages at the end came.
   */
  private buildMessageRows(): Row[] {
    const models = this.messages.models;
    const built = this.builtModels;
    let reuse = !this.rowsStale && built.length <= models.length;
    for (let i = 0; reuse && i < built.length; i++) reuse = models[i] === built[i];
    if (reuse && models.length === built.length) return this.messageRows;
    if (reuse) {
      const added = models.slice(built.length).map((m) => m.attributes as MessageView);
      this.messageRows = this.messageRows.concat(buildRows(added, built.at(-1)?.attributes as MessageView | undefined));
    } else {
      this.messageRows = buildRows(models.map((m) => m.attributes as MessageView));
    }
    this.builtModels = models.slice();
    this.rowsStale = false;
    return this.messageRows;
  }

  private rebuild(anchor: Anchor): void {
    const messageRows = this.buildMessageRows();
    const firstRow = messageRows.find((r) => r.kind === 'message');
    const first = firstRow?.kind === 'message' ? firstRow.message : undefined;
    const hasStart = first?.seq === 1 || (this.reachedStart && first !== undefined);
    const startRow = this.viewport.rows[0]?.kind === 'start' ? this.viewport.rows[0] : { kind: 'start' as const, key: 's:start' };
    const rows: Row[] = hasStart ? [startRow, ...messageRows] : messageRows.slice();
    const lineAt = this.landing ? unreadLineIndex(rows, this.landing.seq, rowSeq) : -1;
    if (lineAt >= 0) rows.splice(lineAt, 0, UNREAD_ROW);
    if (this.landing && !this.landing.landed && lineAt >= 0) {
      this.landing.landed = true;
      this.stick = false;
      anchor = { bottom: false, key: UNREAD_ROW.key, delta: -LANDING_CONTEXT_PX };
    }
    const before = this.viewport.rows;
    let extended = before.length <= rows.length;
    for (let i = 0; extended && i < before.length; i++) extended = before[i] === rows[i];
    if (!extended) {
      const previous = new Map(before.map((r) => [r.key, r]));
      // Attributes change in place, so a message replaced by another model (or regrouped) gets a fresh node.
      for (const row of rows) {
        const old = previous.get(row.key);
        if (old && row.kind === 'message' && old.kind === 'message' && (old.firstOfGroup !== row.firstOfGroup || old.message !== row.message)) this.viewport.drop(row.key);
      }
    }
    this.viewport.setRows(rows, anchor);
    // All of it fits on screen: the view is at the bottom, and follows it.
    if (!anchor.bottom) this.stick = isAtBottom(this.el.scrollTop, this.el.clientHeight, this.el.scrollHeight);
    this.reportPosition();
  }

  /**
   * Counts as seen what is on screen (all of it at the bottom), and tells the
   * conversation when being at the bottom or the unseen count changed.
   */
  private reportPosition(): void {
    const models = this.messages.models;
    if (this.stick) {
      for (let i = models.length - 1; i >= 0; i--) {
        const seq = (models[i] as MessageModel).get('seq');
        if (seq !== null && seq !== undefined) {
          this.unseen.see(seq);
          break;
        }
      }
    } else {
      const rows = this.viewport.rows;
      const last = this.viewport.lastVisible();
      for (let i = last ? rows.indexOf(last) : -1; i >= 0; i--) {
        const seq = rowSeq(rows[i] as Row);
        if (seq !== null) {
          this.unseen.see(seq);
          break;
        }
      }
    }
    const unseen = this.unseen.count(models.length, (i) => (models[i] as MessageModel).attributes as MessageView, this.ctx.selfId);
    const next: ListPosition = { atBottom: this.stick, unseen };
    if (next.atBottom === this.position.atBottom && next.unseen === this.position.unseen) return;
    this.position = next;
    this.trigger('position', next);
  }

  private onScroll(): void {
    this.stick = isAtBottom(this.el.scrollTop, this.el.clientHeight, this.el.scrollHeight);
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => {
      this.viewport.render(this.viewport.anchor(this.stick));
      this.reportPosition();
      this.maybeLoadOlder();
    });
  }

  private maybeLoadOlder(): void {
    if (this.loading || this.reachedStart || this.el.scrollTop > LOAD_OLDER_WITHIN) return;
    if (this.viewport.rows[0]?.kind === 'start') return;
    this.loading = true;
    this.el.setAttribute('aria-busy', 'true');
    this.trigger('loading', true);
    this.loadOlder()
      .then((more) => {
        if (!more) {
          this.reachedStart = true;
          this.queueRebuild();
        }
      })
      .catch(() => undefined)
      .finally(() => {
        this.loading = false;
        this.el.removeAttribute('aria-busy');
        this.trigger('loading', false);
        // A short page may leave the viewport near the top still: keep going.
        requestAnimationFrame(() => this.maybeLoadOlder());
      });
  }

  /** A message's state or text changed: its node is rebuilt on the next render. */
  private onMessageChange(model: MessageModel): void {
    const senderId = model.get('senderId');
    const clientMessageId = model.get('clientMessageId');
    const row = this.viewport.rows.find((r) => r.kind === 'message' && r.message.senderId === senderId && r.message.clientMessageId === clientMessageId);
    if (row) {
      this.keepFocusIn(row.key);
      this.viewport.drop(row.key);
    }
    this.queueRebuild();
  }

  /**
   * When the row about to be rebuilt holds the focus (a reaction chip just
   * pressed, its menu button), the same control in the new node gets it
   * back after the rebuild, so a keyboard user stays where they were.
   */
  private keepFocusIn(key: string): void {
    const active = document.activeElement as HTMLElement | null;
    const node = active?.closest<HTMLElement>('.row-message');
    if (!active || node?.dataset.key !== key) return;
    const selector = active.dataset.emoji !== undefined ? `.reaction-chip[data-emoji="${CSS.escape(active.dataset.emoji)}"]`
      : active.classList.contains('message-menu-button') ? '.message-menu-button'
        : active.classList.contains('quote') ? '.quote'
          : null;
    requestAnimationFrame(() => requestAnimationFrame(() => {
      const fresh = this.el.querySelector(`[data-key="${CSS.escape(key)}"]`);
      const target = (selector ? fresh?.querySelector<HTMLElement>(selector) : null) ?? null;
      if (document.activeElement === document.body || document.activeElement === null) (target ?? this.el).focus({ preventScroll: true });
    }));
  }

  // Version 2: replies lead to their originals.

  /**
   * Scrolls the row `key` into the upper part of the view and highlights it
   * for a moment, then gives it focus so a screen reader reads it. Rows are
   * rebuilt first, as the message may have just been fetched. Returns false
   * when no such row is in the list.
   */
  showMessage(key: string): boolean {
    cancelAnimationFrame(this.rebuildFrame);
    this.rebuildQueued = false;
    this.rebuild(this.viewport.anchor(this.stick));
    if (!this.viewport.rows.some((r) => r.key === key)) return false;
    this.stick = false;
    this.setHighlight(key);
    this.viewport.render({ bottom: false, key, delta: -Math.round(this.el.clientHeight / 3) });
    (this.el.querySelector(`[data-key="${CSS.escape(key)}"] .bubble`) as HTMLElement | null)?.focus({ preventScroll: true });
    clearTimeout(this.highlightTimer);
    this.highlightTimer = setTimeout(() => this.setHighlight(null), HIGHLIGHT_MS);
    return true;
  }

  /** Re-renders the rows that reply to any of `ids` (their quotes name them). */
  refreshRepliesTo(ids: ReadonlySet<string>): void {
    // Rows off screen are built afresh when they come into view: only the rendered ones can be stale.
    const stale = [...this.viewport.renderedRows()].filter((row) => row.kind === 'message' && row.message.replyTo && ids.has(row.message.replyTo));
    for (const row of stale) this.viewport.drop(row.key);
    if (stale.length > 0) this.queueRebuild();
  }

  private setHighlight(key: string | null): void {
    const previous = this.highlighted;
    this.highlighted = key;
    for (const k of [previous, key]) if (k) this.viewport.drop(k);
    this.viewport.render(this.viewport.anchor(this.stick));
  }

  /** A message arrived or changed its text: the quotes of the replies to it change with it. */
  private onOriginalChange(model: MessageModel): void {
    const id = model.get('id');
    const previous = model.previous('id');
    this.refreshRepliesTo(new Set([id, previous].filter((x): x is string => typeof x === 'string')));
  }
}

/** The seq of a message row (null for the other rows and for echoes not yet stored). */
function rowSeq(row: Row): number | null {
  return row.kind === 'message' ? row.message.seq : null;
}

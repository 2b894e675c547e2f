import Backbone from 'backbone';
import type { MessageView } from '../core/client-core-api';
import { rowNode, type RowContext } from './message-node';
import { buildRows, messageKey, type MessageRow } from './message-rows';
import { VirtualViewport, type Anchor } from './virtual-viewport';
import { isAtBottom } from './virtual-window';
import type { MessageModel } from './view-core';

type Row = MessageRow<MessageView> | { kind: 'start'; key: string };

/** Start loading older history when the viewport is this close to the top. */
const LOAD_OLDER_WITHIN = 900;

/**
 * The open conversation's history as a virtual list (VirtualViewport): only
 * the rows on screen plus a margin are in the DOM. It follows the messages
 * collection, pages older history in near the top without moving what the
 * person reads, and stays pinned to the bottom when it was there; when new
 * messages arrive while the person reads further up it triggers `unseen`.
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
    this.viewport = new VirtualViewport<Row>(this.el, (row) => rowNode(row, this.ctx), (key) => (isMessage(key) ? 64 : 44), isMessage);
    // Removals and time changes regroup rows anywhere: rebuild them all next time.
    this.listenTo(messages, 'remove reset change:sentAt', () => (this.rowsStale = true));
    this.listenTo(messages, 'add', this.onAdd);
    this.listenTo(messages, 'remove reset sort change:seq change:sentAt', this.queueRebuild);
    this.listenTo(messages, 'change', this.onMessageChange);
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
    this.viewport.render({ bottom: true });
  }

  override remove(): this {
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
    // Newer rows arrived below while the person reads further up: say so instead of scrolling.
    const newestBefore = this.viewport.rows.at(-1)?.key;
    if (!anchor.bottom && newestBefore !== undefined && rows.at(-1)?.key !== newestBefore) this.trigger('unseen', true);
    this.viewport.setRows(rows, anchor);
  }

  private onScroll(): void {
    this.stick = isAtBottom(this.el.scrollTop, this.el.clientHeight, this.el.scrollHeight);
    if (this.stick) this.trigger('unseen', false);
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => {
      this.viewport.render(this.viewport.anchor(this.stick));
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
    if (row) this.viewport.drop(row.key);
    this.queueRebuild();
  }
}

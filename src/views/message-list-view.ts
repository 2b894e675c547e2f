import Backbone from 'backbone';
import type { MessageView } from '../core/client-core-api';
import { h } from './dom';
import { rowNode, type RowContext } from './message-node';
import { buildRows, type MessageRow } from './message-rows';
import { RowMetrics, isAtBottom } from './virtual-window';
import type { MessageModel } from './view-core';

type Row = MessageRow<MessageView> | { kind: 'start'; key: string };
type Anchor = { bottom: true } | { bottom: false; key: string; delta: number };

/** Rendered beyond each edge of the viewport, in pixels. */
const OVERSCAN = 600;
/** Start loading older history when the viewport is this close to the top. */
const LOAD_OLDER_WITHIN = 900;

/**
 * The open conversation's history as a virtual list: only the rows on screen
 * plus a margin are in the DOM. Row heights are estimated, then measured and
 * corrected; the first visible row is kept in place across every change, so
 * prepending older pages does not move what the person is reading, and the
 * view stays pinned to the bottom when it was there.
 */
export class MessageListView extends Backbone.View {
  private readonly metrics = new RowMetrics((key) => (key.startsWith('m:') ? 64 : 44));
  private rows: Row[] = [];
  private readonly nodes = new Map<string, HTMLElement>();
  private readonly canvas = h('div', { class: 'message-canvas' });
  private readonly windowEl = h('div', { class: 'message-window' });
  private stick = true;
  private frame = 0;
  private rebuildQueued = false;
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
    this.canvas.appendChild(this.windowEl);
    this.el.appendChild(this.canvas);
    this.listenTo(messages, 'add remove reset sort change:seq change:sentAt', this.queueRebuild);
    this.listenTo(messages, 'change', this.onMessageChange);
    // The viewport shrinks when the composer grows or the window resizes: keep the anchor (or the bottom).
    if (typeof ResizeObserver !== 'undefined') {
      this.resizeObserver = new ResizeObserver(() => this.renderWindow(this.captureAnchor()));
      this.resizeObserver.observe(this.el);
    }
  }

  override render(): this {
    this.rebuild(this.captureAnchor());
    return this;
  }

  /** Re-renders the visible rows, e.g. after receipts changed every state. */
  refreshVisible(): void {
    this.nodes.forEach((node) => node.remove());
    this.nodes.clear();
    this.renderWindow(this.captureAnchor());
  }

  /** Call when the element was attached or resized, so the viewport is known. */
  layoutChanged(): void {
    this.renderWindow(this.captureAnchor());
  }

  scrollToBottom(): void {
    this.stick = true;
    this.renderWindow({ bottom: true });
  }

  override remove(): this {
    cancelAnimationFrame(this.frame);
    this.resizeObserver?.disconnect();
    return super.remove();
  }

  private queueRebuild(): void {
    if (this.rebuildQueued) return;
    this.rebuildQueued = true;
    const anchor = this.captureAnchor();
    requestAnimationFrame(() => {
      this.rebuildQueued = false;
      this.rebuild(anchor);
    });
  }

  private rebuild(anchor: Anchor): void {
    const sorted = [...this.messages.models].map((m) => m.attributes as MessageView).sort(bySeq);
    const rows: Row[] = buildRows(sorted);
    if (sorted[0]?.seq === 1 || (this.reachedStart && sorted.length > 0)) rows.unshift({ kind: 'start', key: 's:start' });
    const live = new Set(rows.map((r) => r.key));
    const previous = new Map(this.rows.map((r) => [r.key, r]));
    // A node is reused only if its row is the same object state; messages that changed were dropped in onMessageChange.
    for (const row of rows) {
      const old = previous.get(row.key);
      if (old && row.kind === 'message' && old.kind === 'message' && (old.firstOfGroup !== row.firstOfGroup || old.message !== row.message)) this.dropNode(row.key);
    }
    for (const key of [...this.nodes.keys()]) if (!live.has(key)) this.dropNode(key);
    // Newer rows arrived below while the person reads further up: say so instead of scrolling.
    const newestBefore = this.rows.at(-1)?.key;
    if (!anchor.bottom && newestBefore !== undefined && rows.at(-1)?.key !== newestBefore) this.trigger('unseen', true);
    this.rows = rows;
    this.metrics.setKeys(rows.map((r) => r.key));
    this.renderWindow(anchor);
  }

  private renderWindow(anchor: Anchor): void {
    for (let pass = 0; pass < 4; pass++) {
      const { start, end } = this.metrics.windowFor(this.el.scrollTop, this.viewport(), OVERSCAN);
      this.reconcile(start, end);
      this.layout(start);
      const heights: [string, number][] = [];
      this.nodes.forEach((node, key) => heights.push([key, node.offsetHeight]));
      const changed = this.metrics.measure(heights.filter(([, height]) => height > 0));
      this.layout(start);
      this.restore(anchor);
      if (!changed) break;
    }
  }

  /** Makes the DOM hold exactly rows [start, end), in order, creating only missing nodes. */
  private reconcile(start: number, end: number): void {
    const wanted = new Set<string>();
    for (let i = start; i < end; i++) wanted.add(this.rows[i]?.key as string);
    for (const key of [...this.nodes.keys()]) if (!wanted.has(key)) this.dropNode(key);
    let previous: HTMLElement | null = null;
    for (let i = start; i < end; i++) {
      const row = this.rows[i] as Row;
      let node = this.nodes.get(row.key);
      if (!node) {
        node = rowNode(row, this.ctx);
        this.nodes.set(row.key, node);
      }
      const expected: Element | null = previous ? previous.nextElementSibling : this.windowEl.firstElementChild;
      if (expected !== node) {
        if (previous) previous.after(node);
        else this.windowEl.prepend(node);
      }
      previous = node;
    }
  }

  private layout(start: number): void {
    this.canvas.style.height = `${this.metrics.totalHeight}px`;
    this.windowEl.style.transform = `translateY(${this.metrics.offsetOf(start)}px)`;
  }

  private captureAnchor(): Anchor {
    if (this.stick || this.metrics.count === 0) return { bottom: true };
    const top = this.el.scrollTop;
    const index = this.metrics.indexAt(top);
    return { bottom: false, key: this.metrics.keyAt(index) as string, delta: top - this.metrics.offsetOf(index) };
  }

  private restore(anchor: Anchor): void {
    let target: number;
    if (anchor.bottom) target = this.el.scrollHeight - this.viewport();
    else {
      const index = this.metrics.indexOf(anchor.key);
      if (index < 0) return;
      target = this.metrics.offsetOf(index) + anchor.delta;
    }
    target = Math.max(0, Math.round(target));
    if (Math.abs(this.el.scrollTop - target) >= 1) this.el.scrollTop = target;
  }

  private onScroll(): void {
    this.stick = isAtBottom(this.el.scrollTop, this.viewport(), this.el.scrollHeight);
    if (this.stick) this.trigger('unseen', false);
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => {
      this.renderWindow(this.captureAnchor());
      this.maybeLoadOlder();
    });
  }

  private maybeLoadOlder(): void {
    if (this.loading || this.reachedStart || this.el.scrollTop > LOAD_OLDER_WITHIN) return;
    if (this.rows[0]?.kind === 'start') return;
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

  private onMessageChange(model: MessageModel): void {
    const row = this.rows.find((r) => r.kind === 'message' && r.message.id === model.previous('id'))
      ?? this.rows.find((r) => r.kind === 'message' && r.message.clientMessageId === model.get('clientMessageId') && r.message.senderId === model.get('senderId'));
    if (row) this.dropNode(row.key);
    this.queueRebuild();
  }

  private dropNode(key: string): void {
    this.nodes.get(key)?.remove();
    this.nodes.delete(key);
  }

  private viewport(): number {
    return this.el.clientHeight;
  }
}

/** Acknowledged messages by seq, local echoes (no seq yet) after them by time. */
function bySeq(a: MessageView, b: MessageView): number {
  const sa = a.seq ?? Number.POSITIVE_INFINITY;
  const sb = b.seq ?? Number.POSITIVE_INFINITY;
  return sa !== sb ? sa - sb : a.sentAt - b.sentAt;
}

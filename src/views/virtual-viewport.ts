import { h } from './dom';
import { RowMetrics } from './virtual-window';

/** Where the view should be after a change: pinned to the bottom, or a row kept at the same offset. */
export type Anchor = { bottom: true } | { bottom: false; key: string; delta: number };

/** Rendered beyond each edge of the viewport, in pixels. */
const OVERSCAN = 600;

/**
 * The DOM side of a virtual list inside a scrolling element: a canvas as tall
 * as all rows, holding only the rows in view plus a margin. Rows are built on
 * demand, measured after layout (their estimate corrected), and the anchor
 * row is put back where it was after every change.
 */
export class VirtualViewport<R extends { key: string }> {
  private readonly metrics: RowMetrics;
  private readonly nodes = new Map<string, HTMLElement>();
  /** The row each node in `nodes` was built from. */
  private readonly built = new Map<string, R>();
  private readonly canvas = h('div', { class: 'message-canvas' });
  private readonly windowEl = h('div', { class: 'message-window' });
  private list: R[] = [];

  constructor(
    private readonly scroller: HTMLElement,
    private readonly build: (row: R) => HTMLElement,
    estimate: (key: string) => number,
    /** Rows that may move relative to others (a day separator when older messages of that day arrive) make poor anchors. */
    private readonly stable: (key: string) => boolean = () => true,
  ) {
    this.metrics = new RowMetrics(estimate);
    this.canvas.appendChild(this.windowEl);
    scroller.appendChild(this.canvas);
  }

  get rows(): readonly R[] {
    return this.list;
  }

  /** The last row at least partly inside the viewport (by measured or estimated heights). */
  lastVisible(): R | undefined {
    if (this.list.length === 0) return undefined;
    return this.list[this.metrics.indexAt(this.scroller.scrollTop + Math.max(0, this.scroller.clientHeight - 1))];
  }

  /** Replaces the rows; nodes of rows that are gone are dropped, the rest reused. */
  setRows(rows: R[], anchor: Anchor): void {
    // The common case (new messages at the end, or nothing new): the old rows are a prefix, nothing to drop.
    const old = this.list;
    let prefix = old.length <= rows.length;
    for (let i = 0; prefix && i < old.length; i++) prefix = old[i] === rows[i];
    if (prefix) {
      this.list = rows;
      this.metrics.append(rows.slice(old.length).map((r) => r.key));
      this.render(anchor);
      return;
    }
    const live = new Set(rows.map((r) => r.key));
    for (const key of [...this.nodes.keys()]) if (!live.has(key)) this.drop(key);
    this.list = rows;
    this.metrics.setKeys(rows.map((r) => r.key));
    this.render(anchor);
  }

  /** Forgets a row's node so the next render builds it afresh (its content changed). */
  drop(key: string): void {
    this.nodes.get(key)?.remove();
    this.nodes.delete(key);
    this.built.delete(key);
  }

  /** The rows whose nodes are in the DOM now (the view plus its margin). */
  renderedRows(): IterableIterator<R> {
    return this.built.values();
  }

  dropAll(): void {
    for (const key of [...this.nodes.keys()]) this.drop(key);
  }

  /** The anchor for the current scroll position; `pinned` means the view follows the bottom. */
  anchor(pinned: boolean): Anchor {
    if (pinned || this.metrics.count === 0) return { bottom: true };
    const top = this.scroller.scrollTop;
    let index = this.metrics.indexAt(top);
    while (index < this.metrics.count - 1 && !this.stable(this.metrics.keyAt(index) as string)) index++;
    return { bottom: false, key: this.metrics.keyAt(index) as string, delta: top - this.metrics.offsetOf(index) };
  }

  /** Renders the rows in view, measures them and restores the anchor; repeats while heights still change. */
  render(anchor: Anchor): void {
    for (let pass = 0; pass < 4; pass++) {
      const { start, end } = this.metrics.windowFor(this.scroller.scrollTop, this.scroller.clientHeight, OVERSCAN);
      this.reconcile(start, end);
      const heights: [string, number][] = [];
      this.nodes.forEach((node, key) => heights.push([key, node.offsetHeight]));
      const changed = this.metrics.measure(heights.filter(([, height]) => height > 0));
      this.layout(start);
      // A jump (a landing far from where the view was) needs the rows of where it landed, now, not a frame later.
      const moved = this.restore(anchor);
      if (!changed && !moved) break;
    }
  }

  /** Makes the DOM hold exactly rows [start, end), in order, creating only missing nodes. */
  private reconcile(start: number, end: number): void {
    const wanted = new Set<string>();
    for (let i = start; i < end; i++) wanted.add(this.list[i]?.key as string);
    for (const key of [...this.nodes.keys()]) if (!wanted.has(key)) this.drop(key);
    let previous: HTMLElement | null = null;
    for (let i = start; i < end; i++) {
      const row = this.list[i] as R;
      let node = this.nodes.get(row.key);
      if (!node) {
        node = this.build(row);
        this.nodes.set(row.key, node);
        this.built.set(row.key, row);
      }
      const expected: Element | null = previous ? previous.nextElementSibling : this.windowEl.firstElementChild;
      if (expected !== node) {
        if (previous) previous.after(node);
        else this.windowEl.prepend(node);
      }
      previous = node;
    }
    this.layout(start);
  }

  private layout(start: number): void {
    this.canvas.style.height = `${this.metrics.totalHeight}px`;
    this.windowEl.style.transform = `translateY(${this.metrics.offsetOf(start)}px)`;
  }

  /** Puts the anchor back; true when that moved the view far enough to need other rows. */
  private restore(anchor: Anchor): boolean {
    let target: number;
    if (anchor.bottom) target = this.scroller.scrollHeight - this.scroller.clientHeight;
    else {
      const index = this.metrics.indexOf(anchor.key);
      if (index < 0) return false;
      target = this.metrics.offsetOf(index) + anchor.delta;
    }
    target = Math.max(0, Math.round(target));
    const before = this.scroller.scrollTop;
    if (Math.abs(before - target) >= 1) this.scroller.scrollTop = target;
    return Math.abs(this.scroller.scrollTop - before) > OVERSCAN / 2;
  }
}

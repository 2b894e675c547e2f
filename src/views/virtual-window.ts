/**
 * The arithmetic of the virtual message list, apart from the DOM: row heights
 * (estimated until measured), their running offsets, and which rows a
 * viewport needs. Kept pure so it is unit-tested without layout.
 */
export class RowMetrics {
  private readonly measured = new Map<string, number>();
  private keys: string[] = [];
  private offsets = new Float64Array(1);

  constructor(private readonly estimate: (key: string) => number) {}

  /** Sets the rows in display order; measured heights of known keys are kept. */
  setKeys(keys: string[]): void {
    this.keys = keys;
    const live = new Set(keys);
    // Forget heights of rows that are gone, so the map stays bounded by the data.
    for (const key of this.measured.keys()) if (!live.has(key)) this.measured.delete(key);
    this.recompute();
  }

  /** Adds rows after the last one (nothing else changed): only the new offsets are computed. */
  append(keys: readonly string[]): void {
    if (keys.length === 0) return;
    const n = this.keys.length;
    this.keys = this.keys.concat(keys);
    const offsets = new Float64Array(this.keys.length + 1);
    offsets.set(this.offsets.subarray(0, n + 1));
    for (let i = n; i < this.keys.length; i++) {
      const key = this.keys[i] as string;
      offsets[i + 1] = (offsets[i] ?? 0) + (this.measured.get(key) ?? this.estimate(key));
    }
    this.offsets = offsets;
  }

  /** Records measured heights; returns true when any height changed. */
  measure(heights: Iterable<[string, number]>): boolean {
    let changed = false;
    for (const [key, height] of heights) {
      if (this.measured.get(key) !== height) {
        this.measured.set(key, height);
        changed = true;
      }
    }
    if (changed) this.recompute();
    return changed;
  }

  get count(): number {
    return this.keys.length;
  }

  get totalHeight(): number {
    return this.offsets[this.keys.length] ?? 0;
  }

  keyAt(index: number): string | undefined {
    return this.keys[index];
  }

  indexOf(key: string): number {
    return this.keys.indexOf(key);
  }

  /** Distance from the top of the list to the top of row `index`. */
  offsetOf(index: number): number {
    return this.offsets[Math.max(0, Math.min(index, this.keys.length))] ?? 0;
  }

  heightOf(index: number): number {
    return this.offsetOf(index + 1) - this.offsetOf(index);
  }

  /** Index of the row that contains pixel `y` (clamped to the rows). */
  indexAt(y: number): number {
    const n = this.keys.length;
    if (n === 0) return 0;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.offsets[mid] ?? 0) <= y) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The half-open range of rows to render for a viewport, with `overscan` pixels above and below. */
  windowFor(scrollTop: number, viewportHeight: number, overscan: number): { start: number; end: number } {
    const n = this.keys.length;
    if (n === 0) return { start: 0, end: 0 };
    const start = this.indexAt(Math.max(0, scrollTop - overscan));
    const end = Math.min(n, this.indexAt(scrollTop + viewportHeight + overscan) + 1);
    return { start, end };
  }

  private recompute(): void {
    const n = this.keys.length;
    const offsets = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) {
      const key = this.keys[i] as string;
      offsets[i + 1] = (offsets[i] ?? 0) + (this.measured.get(key) ?? this.estimate(key));
    }
    this.offsets = offsets;
  }
}

/** True when the viewport is within `slack` pixels of the bottom: new rows then keep it pinned there. */
export function isAtBottom(scrollTop: number, viewportHeight: number, scrollHeight: number, slack = 24): boolean {
  return scrollHeight - (scrollTop + viewportHeight) <= slack;
}

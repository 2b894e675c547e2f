import { describe, expect, it } from 'vitest';
import { RowMetrics, isAtBottom } from './virtual-window';

const keys = (n: number) => Array.from({ length: n }, (_, i) => `k${i}`);

describe('RowMetrics', () => {
  it('estimates until measured and corrects offsets after', () => {
    const m = new RowMetrics(() => 50);
    m.setKeys(keys(10));
    expect(m.totalHeight).toBe(500);
    expect(m.measure([['k0', 80]])).toBe(true);
    expect(m.offsetOf(1)).toBe(80);
    expect(m.totalHeight).toBe(530);
    expect(m.measure([['k0', 80]])).toBe(false);
  });

  it('finds the row at a pixel with binary search', () => {
    const m = new RowMetrics(() => 20);
    m.setKeys(keys(10_000));
    expect(m.indexAt(0)).toBe(0);
    expect(m.indexAt(19)).toBe(0);
    expect(m.indexAt(20)).toBe(1);
    expect(m.indexAt(10_000_000)).toBe(9_999);
  });

  it('renders a bounded window for any scroll position of 10,000 rows', () => {
    const m = new RowMetrics(() => 40);
    m.setKeys(keys(10_000));
    const top = m.windowFor(0, 800, 400);
    expect(top).toEqual({ start: 0, end: 31 });
    const middle = m.windowFor(200_000, 800, 400);
    expect(middle.end - middle.start).toBe(41);
    expect(middle.start).toBe(4990);
    const bottom = m.windowFor(m.totalHeight - 800, 800, 400);
    expect(bottom.end).toBe(10_000);
    expect(bottom.end - bottom.start).toBeLessThanOrEqual(32);
  });

  it('keeps measured heights when rows are prepended, so the anchor can be restored', () => {
    const m = new RowMetrics(() => 40);
    m.setKeys(['a', 'b']);
    m.measure([['a', 100]]);
    m.setKeys(['x', 'y', 'a', 'b']);
    expect(m.indexOf('a')).toBe(2);
    expect(m.heightOf(2)).toBe(100);
    expect(m.offsetOf(3)).toBe(180);
  });
});

describe('isAtBottom', () => {
  it('allows a little slack', () => {
    expect(isAtBottom(1000, 500, 1510)).toBe(true);
    expect(isAtBottom(900, 500, 1510)).toBe(false);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryNoticeCoalescer } from './notice-coalescer';

describe('MemoryNoticeCoalescer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the first notice at once and those within the interval as one, the last offered, at its end', () => {
    const c = new MemoryNoticeCoalescer(1000);
    const sent: number[] = [];
    const offer = (i: number): void => {
      if (c.admit('k', () => sent.push(i))) sent.push(i);
    };
    for (let i = 0; i < 100; i++) offer(i);
    expect(sent).toEqual([0]);
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([0, 99]);
    offer(100); // within the interval the coalesced notice opened
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([0, 99, 100]);
    vi.advanceTimersByTime(1000); // a quiet interval: the key is forgotten
    offer(101);
    expect(sent).toEqual([0, 99, 100, 101]);
    c.stop();
  });

  it('keeps keys apart, and with interval 0 sends every notice', () => {
    const c = new MemoryNoticeCoalescer(1000);
    const sent: string[] = [];
    for (const k of ['a', 'b', 'a', 'b']) if (c.admit(k, () => sent.push(`${k} later`))) sent.push(k);
    expect(sent).toEqual(['a', 'b']);
    c.stop();
    vi.advanceTimersByTime(5000);
    expect(sent).toEqual(['a', 'b']); // stop drops what waits
    const off = new MemoryNoticeCoalescer(0);
    let n = 0;
    for (let i = 0; i < 5; i++) if (off.admit('a', () => {})) n++;
    expect(n).toBe(5);
  });
});

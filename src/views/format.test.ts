import { describe, expect, it } from 'vitest';
import { calendarDaysBetween, dayKey, dayLabel, initials, presenceLabel, relativeTime, secondsUntil } from './format';

const now = new Date(2026, 10, 23, 15, 0).getTime();

describe('format', () => {
  it('labels today and yesterday by calendar day, not by 24 hours', () => {
    expect(dayLabel(new Date(2026, 10, 23, 0, 5).getTime(), now)).toBe('Today');
    expect(dayLabel(new Date(2026, 10, 22, 23, 59).getTime(), now)).toBe('Yesterday');
    expect(calendarDaysBetween(new Date(2026, 10, 20, 1).getTime(), now)).toBe(3);
  });

  it('keys days in local time', () => {
    expect(dayKey(new Date(2026, 0, 5, 23, 59).getTime())).toBe('2026-01-05');
  });

  it('describes presence', () => {
    expect(presenceLabel(true, null, now)).toBe('online');
    expect(presenceLabel(false, now - 5 * 60_000, now)).toBe('last seen 5 min ago');
    expect(presenceLabel(false, null, now)).toBe('offline');
  });

  it('counts down whole seconds and makes initials', () => {
    expect(secondsUntil(now + 1200, now)).toBe(2);
    expect(secondsUntil(now - 10, now)).toBe(0);
    expect(initials('Alice Liddell')).toBe('AL');
    expect(initials('bob')).toBe('B');
  });

  it('says how long ago a session was made or used', () => {
    expect(relativeTime(now - 20_000, now)).toBe('just now');
    expect(relativeTime(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(relativeTime(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(relativeTime(new Date(2026, 10, 22, 23, 0).getTime(), now)).toBe('yesterday');
    expect(relativeTime(new Date(2026, 10, 19, 12, 0).getTime(), now)).toBe('4 days ago');
  });
});

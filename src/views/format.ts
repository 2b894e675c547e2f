/**
 * Dates and times as the views show them. Functions take `now` so tests and
 * callers agree on what "today" is.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * `date.toLocale{Date,Time,}String(undefined, options)` with the formatter
 * kept: each of those calls builds an Intl.DateTimeFormat afresh (~0.5 ms),
 * which made the conversation list's times a large part of a cold start.
 * Options must name the fields, as toLocale*String would otherwise add defaults.
 */
export function localFormat(date: Date, options: Intl.DateTimeFormatOptions): string {
  const key = JSON.stringify(options);
  let formatter = formatters.get(key);
  if (!formatter) formatters.set(key, (formatter = new Intl.DateTimeFormat(undefined, options)));
  return formatter.format(date);
}

/** What `date.toLocaleString()` shows: date and time, every field numeric. */
export const FULL_DATE_TIME: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' };

/** Local calendar day of a timestamp, e.g. `2026-11-23`, used to group messages. */
export function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** "Today", "Yesterday", a weekday within the week, else a full date. */
export function dayLabel(ms: number, now: number = Date.now()): string {
  const days = calendarDaysBetween(ms, now);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  const d = new Date(ms);
  if (days > 1 && days < 7) return localFormat(d, { weekday: 'long' });
  const sameYear = d.getFullYear() === new Date(now).getFullYear();
  return localFormat(d, sameYear ? { weekday: 'short', month: 'short', day: 'numeric' } : { year: 'numeric', month: 'short', day: 'numeric' });
}

/** Clock time of a message, e.g. "14:05" or "2:05 PM" depending on locale. */
export function clockTime(ms: number): string {
  return localFormat(new Date(ms), { hour: 'numeric', minute: '2-digit' });
}

/** Short time for the conversation list: the clock today, else the weekday or date. */
export function listTime(ms: number, now: number = Date.now()): string {
  const days = calendarDaysBetween(ms, now);
  if (days === 0) return clockTime(ms);
  if (days === 1) return 'Yesterday';
  const d = new Date(ms);
  if (days > 1 && days < 7) return localFormat(d, { weekday: 'short' });
  return localFormat(d, { month: 'short', day: 'numeric' });
}

/** "online", "last seen 5 min ago", "last seen yesterday" ... */
export function presenceLabel(online: boolean, lastSeenAt: number | null, now: number = Date.now()): string {
  if (online) return 'online';
  if (lastSeenAt === null) return 'offline';
  const minutes = Math.floor((now - lastSeenAt) / 60_000);
  if (minutes < 1) return 'last seen just now';
  if (minutes < 60) return `last seen ${minutes} min ago`;
  const days = calendarDaysBetween(lastSeenAt, now);
  if (days === 0) return `last seen today at ${clockTime(lastSeenAt)}`;
  if (days === 1) return `last seen yesterday at ${clockTime(lastSeenAt)}`;
  return `last seen ${localFormat(new Date(lastSeenAt), { month: 'short', day: 'numeric' })}`;
}

/** "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", else the date: when a session was made or last used. */
export function relativeTime(ms: number, now: number = Date.now()): string {
  const minutes = Math.floor((now - ms) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  if (minutes < 24 * 60 && calendarDaysBetween(ms, now) === 0) return `${Math.floor(minutes / 60)} h ago`;
  const days = calendarDaysBetween(ms, now);
  if (days <= 1) return 'yesterday';
  if (days < 7) return `${days} days ago`;
  const sameYear = new Date(ms).getFullYear() === new Date(now).getFullYear();
  return localFormat(new Date(ms), sameYear ? { month: 'short', day: 'numeric' } : { year: 'numeric', month: 'short', day: 'numeric' });
}

/** Whole calendar days from `a` to `b` in local time (0 = same day). */
export function calendarDaysBetween(a: number, b: number): number {
  const da = new Date(a);
  const db = new Date(b);
  const startA = Date.UTC(da.getFullYear(), da.getMonth(), da.getDate());
  const startB = Date.UTC(db.getFullYear(), db.getMonth(), db.getDate());
  return Math.round((startB - startA) / 86_400_000);
}

/** Seconds left until `at`, never negative, rounded up so "1 s" shows until the moment. */
export function secondsUntil(at: number, now: number = Date.now()): number {
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** Initials for an avatar: "Alice Liddell" -> "AL", "bob" -> "B". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters.map((w) => Array.from(w ?? '')[0] ?? '').join('').toUpperCase() || '?';
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

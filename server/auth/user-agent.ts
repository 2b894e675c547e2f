/**
 * A short, human description of what made a session, for "where you are
 * signed in" (GetSessionsCommand): "Chromium on Linux", "Firefox on
 * Windows", "Safari on iOS". It comes from the User-Agent of the socket's
 * upgrade and the client's own `clientMedium`, neither of which the server
 * trusts: only the first MAX_USER_AGENT characters are read, only fixed
 * names come out (never text copied from the header), and every pattern
 * is a plain token search that runs in linear time.
 */
export const MAX_USER_AGENT = 512;

/** Browsers, most specific first: Edge, Opera and Samsung Internet also say "Chrome", and nearly everything says "Safari". */
const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\bOPR\/|\bOpera\b/, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\bCriOS\//, 'Chrome'],
  // Chrome, Chromium and the browsers built on it send the same "Chrome/" token: Chromium is all it tells.
  [/\b(?:HeadlessChrome|Chrome|Chromium)\//, 'Chromium'],
  [/\bVersion\/[\d.]+ (?:Mobile\/\w+ )?Safari\//, 'Safari'],
  [/\bMSIE \d|\bTrident\//, 'Internet Explorer'],
];

/** Systems, most specific first: iPhones and Android say "like Mac OS X" and "Linux". */
const SYSTEMS: [RegExp, string][] = [
  [/\bWindows\b/, 'Windows'],
  [/\b(?:iPhone|iPod)\b/, 'iOS'],
  [/\biPad\b/, 'iPadOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bMacintosh\b|\bMac OS X\b/, 'macOS'],
  [/\b(?:FreeBSD|OpenBSD|NetBSD)\b/, 'BSD'],
  [/\bLinux\b/, 'Linux'],
];

/** A client medium worth showing: short, letters, digits and a few separators only. */
const MEDIUM = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,31}$/;

export function describeClient(userAgent: string | undefined, clientMedium: string | null): string {
  const ua = (userAgent ?? '').slice(0, MAX_USER_AGENT);
  const browser = first(BROWSERS, ua);
  const system = first(SYSTEMS, ua);
  if (browser && system) return `${browser} on ${system}`;
  if (browser) return browser;
  if (system) return `A browser on ${system}`;
  // Not a browser we know (a script, a load tool): its own word for itself, when that is plain.
  const medium = clientMedium?.trim() ?? '';
  if (MEDIUM.test(medium)) return medium === 'web' ? 'Web client' : `${medium} client`;
  return 'Unknown client';
}

function first(table: [RegExp, string][], ua: string): string | null {
  for (const [pattern, name] of table) if (pattern.test(ua)) return name;
  return null;
}

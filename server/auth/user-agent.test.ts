import { describe, expect, it } from 'vitest';
import { MAX_USER_AGENT, describeClient } from './user-agent';

const AGENTS: [string, string][] = [
  ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Chromium on Linux'],
  ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.33 Safari/537.36', 'Chromium on Linux'],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70', 'Edge on Windows'],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on Windows'],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15', 'Safari on macOS'],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1', 'Safari on iOS'],
  ['Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1', 'Chrome on iPadOS'],
  ['Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36', 'Samsung Internet on Android'],
  ['Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36', 'Chromium on Android'],
  ['Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Chromium on ChromeOS'],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0', 'Opera on Windows'],
  ['Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on Linux'],
];

describe('describeClient', () => {
  it.each(AGENTS)('names %s as %s', (ua, expected) => {
    expect(describeClient(ua, 'web')).toBe(expected);
  });

  it('falls back to the system, then the client medium, then "Unknown client"', () => {
    expect(describeClient('Mozilla/5.0 (X11; Linux x86_64) SomethingNew/1.0', 'web')).toBe('A browser on Linux');
    expect(describeClient(undefined, 'web')).toBe('Web client');
    expect(describeClient('', 'load-tool')).toBe('load-tool client');
    expect(describeClient(undefined, null)).toBe('Unknown client');
  });

  it('never copies text from the headers it is given', () => {
    expect(describeClient('<script>alert(1)</script>', '<b>bold</b>')).toBe('Unknown client');
    expect(describeClient(undefined, 'web\u202Eevil')).toBe('Unknown client');
    expect(describeClient(undefined, 'x'.repeat(40))).toBe('Unknown client');
  });

  it('reads only the first MAX_USER_AGENT characters, quickly, whatever the header holds', () => {
    const padding = 'a'.repeat(MAX_USER_AGENT);
    expect(describeClient(`${padding} Firefox/133.0 (Windows)`, 'web')).toBe('Web client');
    const hostile = `${'Version/1.'.repeat(100_000)}x ${'Mac OS X '.repeat(10_000)}`;
    const started = performance.now();
    for (let i = 0; i < 100; i++) describeClient(hostile, 'web');
    expect(performance.now() - started).toBeLessThan(500);
  });
});

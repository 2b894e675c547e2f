import { describe, expect, it } from 'vitest';
import { SessionCookie } from './session-cookie';

describe('SessionCookie', () => {
  it('POSTs the code as JSON to the same-origin route with credentials, uncached', async () => {
    const calls: [string, RequestInit][] = [];
    const cookie = new SessionCookie({ fetch: async (url, init) => (calls.push([url, init]), { status: 204, ok: true }) });
    expect(await cookie.bind('abc')).toBe('bound');
    expect(calls[0]![0]).toBe('/session/cookie');
    expect(calls[0]![1]).toMatchObject({ method: 'POST', body: '{"code":"abc"}', credentials: 'same-origin', cache: 'no-store' });
    expect(await cookie.clear()).toBe(true);
    expect(calls[1]![1]).toMatchObject({ method: 'DELETE', credentials: 'same-origin' });
  });

  it('tells a refused code from a server that cannot answer now', async () => {
    const answer = (status: number) => new SessionCookie({ fetch: async () => ({ status, ok: status < 300 }) });
    expect(await answer(400).bind('x')).toBe('refused');
    expect(await answer(403).bind('x')).toBe('refused');
    expect(await answer(429).bind('x')).toBe('unreachable');
    expect(await answer(503).bind('x')).toBe('unreachable');
    const offline = new SessionCookie({ fetch: async () => Promise.reject(new TypeError('Failed to fetch')) });
    expect(await offline.bind('x')).toBe('unreachable');
    expect(await offline.clear()).toBe(false);
  });
});

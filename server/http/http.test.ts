import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../app';
import { startTestServer } from '../test/harness';

describe('HTTP: static app, security headers, health, metrics', () => {
  let server: RunningServer;
  let bare: RunningServer;
  let dist: string;

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'tidings-dist-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Tidings</title>');
    writeFileSync(join(dist, 'assets', 'app-abc123.js'), 'console.log(1)');
    writeFileSync(join(dist, 'assets', 'app-abc123.css'), 'body{}');
    writeFileSync(join(dist, 'sw.js'), 'self.addEventListener("fetch",()=>{})');
    writeFileSync(join(dist, 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    server = await startTestServer({ distDir: dist });
    bare = await startTestServer({ distDir: join(dist, 'missing') });
  });
  afterAll(async () => {
    await Promise.all([server.close(), bare.close()]);
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves index.html with the strict CSP and security headers, never cached', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const csp = res.headers.get('content-security-policy') ?? '';
    for (const part of ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", `ws://127.0.0.1:${server.port}`]) {
      expect(csp).toContain(part);
    }
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('caches hashed assets forever, revalidates the service worker, and types files right', async () => {
    const js = await fetch(`${server.url}/assets/app-abc123.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toContain('immutable');
    const css = await fetch(`${server.url}/assets/app-abc123.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const sw = await fetch(`${server.url}/sw.js`);
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    expect((await fetch(`${server.url}/icon.svg`)).headers.get('content-type')).toBe('image/svg+xml');
  });

  it('falls back to index.html for app routes, 404s missing files and traversal', async () => {
    const route = await fetch(`${server.url}/conversations/c_123`);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>Tidings</title>');
    expect((await fetch(`${server.url}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${server.url}/..%2f..%2fetc%2fpasswd`)).status).toBe(404);
  });

  it('answers 503 with a hint when the app is not built', async () => {
    const res = await fetch(`${bare.url}/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build');
  });

  it('offers /clear-site-data for logout, to the app\'s own POST only', async () => {
    const res = await fetch(`${server.url}/clear-site-data`, { method: 'POST', headers: { Origin: server.url } });
    expect(res.status).toBe(204);
    expect(res.headers.get('clear-site-data')).toBe('"cache", "storage"');
    const link = await fetch(`${server.url}/clear-site-data`);
    expect(link.status).toBe(405);
    expect(link.headers.get('clear-site-data')).toBeNull();
    const foreign = await fetch(`${server.url}/clear-site-data`, { method: 'POST', headers: { Origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).toMatch(/^CROSS_SITE_REQUEST: .*https:\/\/evil\.example/);
  });

  it('has no test controls outside mock mode', async () => {
    expect((await fetch(`${server.url}/__test__/reset`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${server.url}/__test__/state`)).status).toBe(404);
  });

  it('reports health, and 503 when the database cannot write', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    bare.db.exec('DROP TABLE health_probe');
    const sick = await fetch(`${bare.url}/healthz`);
    expect(sick.status).toBe(503);
    expect(await sick.text()).toContain('database');
  });

  it('exposes Prometheus metrics from a registry of its own', async () => {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    // Like every other response: not sniffed as HTML, no referrer leaked.
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const text = await res.text();
    for (const name of ['tidings_connections', 'tidings_logged_in_users', 'tidings_commands_total', 'tidings_errors_total', 'tidings_message_ack_seconds', 'tidings_db_commit_seconds', 'nodejs_eventloop_lag_seconds']) {
      expect(text).toContain(name);
    }
  });
});

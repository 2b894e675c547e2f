import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { encodeFrame } from '../../src/protocol/index';

/**
 * Raw sockets for the abuse suite: an upgrade from a chosen loopback address
 * that reports what it got (open, or the HTTP refusal), and a socket that
 * remembers how it was closed. Never a target beyond 127.0.0.0/8.
 */
export type Upgraded = { ws: WebSocket; closed: Promise<number> } | { status: number; retryAfter: string | undefined };

export function upgradeFrom(url: string, localAddress: string, headers: Record<string, string> = {}): Promise<Upgraded> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { localAddress, headers, perMessageDeflate: false });
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.once('open', () => resolve({ ws, closed }));
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] });
      ws.terminate();
    });
    ws.on('error', () => resolve({ status: 0, retryAfter: undefined }));
  });
}

export function isOpen(u: Upgraded): u is { ws: WebSocket; closed: Promise<number> } {
  return 'ws' in u;
}

/** Registers and logs in with a token; resolves once the login answer came (true when logged in). */
export function logIn(ws: WebSocket, token: string): Promise<boolean> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const text = data.toString();
      if (!text.includes('AccountLoginResponse')) return;
      ws.off('message', onMessage);
      resolve(text.includes('"loggedIn":true'));
    };
    ws.on('message', onMessage);
    ws.once('close', () => resolve(false));
    ws.send(encodeFrame('ClientRegistrationCommand', { clientInformation: { clientMedium: 'web' } }));
    ws.send(encodeFrame('AccountLoginCommand', { userInformation: { sessionToken: token } }));
  });
}

/** Stops reading: the kernel's buffers fill, then the server's. */
export function stopReading(ws: WebSocket): void {
  (ws as unknown as { _socket: Socket })._socket.pause();
}

/** The server's resident memory, from /proc (Linux). */
export function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? 0) * 1024;
}

/** A value from /metrics: `name` without labels, or the series of `name` whose labels include `label` (0 when absent). */
export async function metric(url: string, name: string, label?: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => (label === undefined ? l.startsWith(`${name} `) : l.startsWith(`${name}{`) && l.includes(label)));
  return Number(line?.split(' ').pop() ?? 0);
}

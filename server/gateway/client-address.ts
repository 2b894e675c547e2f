import type { IncomingMessage } from 'node:http';

/**
 * The client's address as the per-address limits count it. With
 * `trustProxyHops` 0 it is the TCP peer. Behind N trusted proxies it is the
 * Nth entry from the right of X-Forwarded-For: each proxy appends the address
 * it was reached from, so the entries left of those are the client's to
 * write and are never believed. A header shorter than that falls back to its
 * leftmost entry (the request passed through fewer proxies than configured).
 */
export function clientAddress(req: IncomingMessage, trustProxyHops: number): string {
  const peer = normalize(req.socket.remoteAddress ?? 'unknown');
  if (trustProxyHops <= 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const text = Array.isArray(header) ? header.join(',') : header;
  const hops = (text ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h.length > 0);
  if (hops.length === 0) return peer;
  return normalize(hops[Math.max(0, hops.length - trustProxyHops)]!);
}

function normalize(address: string): string {
  // An IPv4 client of a dual-stack listener shows as ::ffff:a.b.c.d.
  return address.toLowerCase().startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

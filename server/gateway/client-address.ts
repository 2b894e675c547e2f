import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';

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

/**
 * The key an address is counted under: an IPv4 address as it is, an IPv6
 * address by its /64 (one subscriber's network usually holds a whole /64,
 * so counting single IPv6 addresses would not limit anyone).
 */
export function addressKey(address: string): string {
  if (!isIPv6(address)) return address;
  const groups = expandIPv6(address);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : address;
}

function normalize(address: string): string {
  // An IPv4 client of a dual-stack listener shows as ::ffff:a.b.c.d.
  return address.toLowerCase().startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** The eight groups of an IPv6 address, `::` expanded, without leading zeros; null if it has an embedded IPv4 tail. */
function expandIPv6(address: string): string[] | null {
  const plain = address.split('%')[0]!.toLowerCase();
  if (plain.includes('.')) return null;
  const [head, tail] = plain.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((g) => g.replace(/^0+(?=.)/, ''));
}

import { isIPv4, isIPv6 } from 'node:net';

/**
 * The key per-address limits count by. An IPv4 address (also written as
 * IPv4-mapped IPv6, `::ffff:a.b.c.d`) is its own key; an IPv6 address counts
 * by its /64, the block one subscriber usually holds, so an attacker cannot
 * get a fresh budget for each of the 2^64 addresses of one network.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIPv4(address) || !isIPv6(address)) return address;
  const [head = '', tail = ''] = address.split('%')[0]!.split('::') as [string, string?];
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

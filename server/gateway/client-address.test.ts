import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress } from './client-address';

function request(peer: string, forwardedFor?: string): IncomingMessage {
  return { socket: { remoteAddress: peer }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } } as unknown as IncomingMessage;
}

describe('clientAddress', () => {
  it('is the TCP peer unless proxies are trusted, whatever the header says', () => {
    expect(clientAddress(request('192.0.2.9', '198.51.100.1'), 0)).toBe('192.0.2.9');
    expect(clientAddress(request('::ffff:192.0.2.9'), 0)).toBe('192.0.2.9');
  });

  it('takes the Nth entry from the right of X-Forwarded-For behind N proxies, never a client-written one further left', () => {
    expect(clientAddress(request('10.0.0.1', 'spoofed, 198.51.100.1'), 1)).toBe('198.51.100.1');
    expect(clientAddress(request('10.0.0.2', 'spoofed, 198.51.100.1, 10.0.0.1'), 2)).toBe('198.51.100.1');
    // Fewer entries than proxies: the leftmost; no header: the peer.
    expect(clientAddress(request('10.0.0.2', '198.51.100.1'), 3)).toBe('198.51.100.1');
    expect(clientAddress(request('10.0.0.2'), 1)).toBe('10.0.0.2');
  });
});

import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { Hub } from './hub';
import type { Peer } from './peer';

function fakePeer(id: number, bufferedAmount = 0): Peer & { sent: string[]; closedWith: number | null } {
  return {
    id,
    userId: `u${id}`,
    subscriptions: new Set(),
    bufferedAmount,
    sent: [],
    closedWith: null,
    sendText(text) {
      this.sent.push(text);
    },
    close(code) {
      this.closedWith = code;
    },
  };
}

describe('Hub', () => {
  it('encodes a notification once and sends the same string to every subscriber', () => {
    const hub = new Hub(1024, createLogger('silent'));
    const a = fakePeer(1);
    const b = fakePeer(2);
    hub.subscribe(a, 'messages:c1');
    hub.subscribe(b, 'messages:c1');
    hub.subscribe(b, 'contacts@u1');
    hub.notifyChanged(['messages:c1', 'contacts@u1'], { resource: 'messages:c1', version: 3, ids: ['m3'] });
    expect(a.sent).toHaveLength(1);
    expect(b.sent).toHaveLength(1);
    expect(a.sent[0]).toBe(b.sent[0]);
  });

  it('closes a subscriber whose buffer is over the cap with 1008 instead of queueing more', () => {
    const hub = new Hub(1024, createLogger('silent'));
    const slow = fakePeer(1, 4096);
    const fine = fakePeer(2);
    hub.subscribe(slow, 'k');
    hub.subscribe(fine, 'k');
    hub.broadcast('k', 'TypingNotification', { conversationId: 'c', userId: 'u', typing: true });
    expect(slow.closedWith).toBe(1008);
    expect(slow.sent).toHaveLength(0);
    expect(slow.subscriptions.size).toBe(0);
    expect(fine.sent).toHaveLength(1);
  });
});

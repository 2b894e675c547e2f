import { describe, expect, it } from 'vitest';
import { Hub } from './hub';
import type { Peer } from './peer';

function fakePeer(id: number): Peer & { sent: string[]; closedWith: number | null } {
  return {
    id,
    userId: `u${id}`,
    subscriptions: new Set(),
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
    const hub = new Hub();
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
});

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

  it('holds a socket corked from the ack to its commit\'s notifications: everything written meanwhile leaves in order, in one write', () => {
    const hub = new Hub();
    const wire: string[][] = [];
    let corks = 0;
    let queued: string[] = [];
    const sender: Peer = {
      ...fakePeer(1),
      sendText(text) {
        if (corks > 0) queued.push(text);
        else wire.push([text]);
      },
      cork() {
        corks++;
      },
      uncork() {
        corks--;
        if (corks === 0 && queued.length) {
          wire.push(queued);
          queued = [];
        }
      },
    };
    hub.subscribe(sender, 'conversations@u1');
    const release = hub.openHold(); // right after COMMIT
    hub.hold(sender); // sendMessage, before the ack is written
    hub.hold(sender); // a second ack of the same commit: still one cork
    sender.sendText('ack');
    sender.sendText('pong'); // a reply to a command that came after the send
    const later = hub.openHold(); // the next commit, before this one's notifications
    hub.batch(() => hub.notifyChanged(['conversations@u1'], { resource: 'conversations', version: 2, ids: ['c1'] }));
    expect(wire).toEqual([]); // the batch's own cork ended, the hold's has not
    release(); // after the notifications, a turn later
    expect(wire).toHaveLength(1);
    expect(wire[0]!.map((t) => (t.startsWith('{') ? 'note' : t))).toEqual(['ack', 'pong', 'note']);
    expect(corks).toBe(0);
    later();
    expect(corks).toBe(0);
    hub.hold(sender); // no hold open: nothing corked
    expect(corks).toBe(0);
  });
});

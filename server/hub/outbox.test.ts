import { describe, expect, it } from 'vitest';
import { Outbox } from './outbox';
import type { Peer } from './peer';

/** A socket that records what reaches the wire: one entry per write, corked frames together. */
function wirePeer(id: number): Peer & { wire: string[][] } {
  let corks = 0;
  let queued: string[] = [];
  return {
    id,
    userId: `u${id}`,
    subscriptions: new Set(),
    wire: [],
    sendText(text) {
      if (corks > 0) queued.push(text);
      else this.wire.push([text]);
    },
    cork() {
      corks++;
    },
    uncork() {
      corks--;
      if (corks === 0 && queued.length) {
        this.wire.push(queued);
        queued = [];
      }
    },
    close() {},
  };
}

describe('Outbox', () => {
  it('sends each socket its frames in the order written, in one write, only when sent', () => {
    const a = wirePeer(1);
    const b = wirePeer(2);
    const out = new Outbox();
    out.write(a, 'ack');
    out.write(b, 'note 1');
    out.write(a, 'conversations');
    out.write(b, 'note 2');
    expect([a.wire, b.wire]).toEqual([[], []]);
    out.send();
    expect(a.wire).toEqual([['ack', 'conversations']]);
    expect(b.wire).toEqual([['note 1', 'note 2']]);
    // Sent twice: nothing is uncorked again.
    out.send();
    a.sendText('later');
    expect(a.wire).toEqual([['ack', 'conversations'], ['later']]);
  });
});

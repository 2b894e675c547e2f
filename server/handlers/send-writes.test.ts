import { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../app';
import type { Frame, ProtocolClient } from '../test/protocol-client';
import { directPair, startTestServer } from '../test/harness';

/**
 * Socket writes per one-to-one send, counted on the server's side of the
 * TCP connections (a socket the server accepted has `.server`). With both
 * members subscribed to `conversations` and `messages:<id>`, a send gives
 * the sender its ack (written in the commit's turn) and, a turn later, its
 * conversations notification (its own messages notification is left out:
 * the ack carries the message), and the recipient its messages and
 * conversations notifications. The sender's socket is held corked from the
 * ack to its notifications (Hub.openHold/hold), and each socket's
 * notifications of one batch are corked together: two writes per send
 * (three without the hold, five without corking). The hold reorders
 * nothing: what is written to the socket in between (a reply to a command
 * sent after the send) queues behind the ack.
 */
describe('socket writes per send', () => {
  let server: RunningServer;
  let ann: ProtocolClient;
  let ben: ProtocolClient;
  let conv: string;

  beforeAll(async () => {
    server = await startTestServer();
    ({ ann, ben, conv } = await directPair(server));
    for (const c of [ann, ben]) {
      await c.call('SubscribeCommand', { resource: 'conversations' }, 'SubscribeResponse');
      await c.call('SubscribeCommand', { resource: `messages:${conv}` }, 'SubscribeResponse');
    }
  });
  afterAll(() => server.close());

  it('writes the sender\'s ack with its notifications, and each socket\'s notifications of a batch together: 2 server writes per send', async () => {
    // Let the setup's notifications (conversation creation) leave before counting.
    await new Promise((r) => setTimeout(r, 100));
    const proto = Socket.prototype as unknown as Record<'_write' | '_writev', (this: Socket, ...a: unknown[]) => unknown>;
    const original = { _write: proto._write, _writev: proto._writev };
    let writes = 0;
    for (const name of ['_write', '_writev'] as const) {
      proto[name] = function (this: Socket, ...args: unknown[]) {
        if ((this as Socket & { server?: unknown }).server) writes++;
        return original[name].apply(this, args);
      };
    }
    const sends = 10;
    try {
      for (let seq = 1; seq <= sends; seq++) {
        await ann.call('SendMessageCommand', { conversationId: conv, clientMessageId: `w-${seq}`, body: `hello ${seq}` }, 'SendMessageResponse');
        // The recipient's messages notification of this seq (the sender's ack carried the
        // message, so it gets none), and each member's conversations notification.
        await ben.waitFor((f) => isNote(f, `messages:${conv}`) && (f.payload as { version: number }).version === seq);
        for (const c of [ann, ben]) {
          await c.waitFor((f) => isNote(f, 'conversations') && (f.payload as { items: Record<string, { latestSeq: number }> }).items[conv]?.latestSeq === seq);
        }
      }
    } finally {
      Object.assign(proto, original);
    }
    expect(writes).toBe(2 * sends);
  });
});

function isNote(f: Frame, resource: string): boolean {
  return f.name === 'ResourceChangedNotification' && (f.payload as { resource: string }).resource === resource;
}

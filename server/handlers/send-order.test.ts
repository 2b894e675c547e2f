import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/protocol/index';
import type { RunningServer } from '../app';
import type { Frame, ProtocolClient } from '../test/protocol-client';
import { directPair, startTestServer } from '../test/harness';

/** Every frame a client receives, in arrival order, as `name resource|seq`. */
function record(client: ProtocolClient): string[] {
  const seen: string[] = [];
  client.ws.on('message', (data) => {
    const f = decodeFrame(data.toString());
    const p = f.payload as { resource?: string; message?: { seq: number }; version?: number };
    const name = f.name.replace('com.comoyo.', '');
    seen.push(p.resource ? `${name} ${p.resource.replace(/:.*/, '')}` : p.message ? `${name} ${p.message.seq}` : name);
  });
  return seen;
}

/**
 * What each member's socket receives for a one-to-one send, in order, with
 * both subscribed to `conversations` and `messages:<id>`: the sender its ack
 * and then its conversations notification (no messages notification: the
 * ack carried the message), the recipient the messages notification and then
 * the conversations one. A ping pipelined behind each send never lands
 * between an ack and the notifications of its commit.
 */
describe('the frames of a send, in the order each socket receives them', () => {
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
    // The set-up's notifications (the conversation's creation) are behind us once this is answered.
    await ann.call('PingCommand', {}, 'PongResponse');
    await ben.call('PingCommand', {}, 'PongResponse');
  });
  afterAll(() => server.close());

  it('ack before the notifications on the sending socket; messages before conversations on the other', async () => {
    const annSeen = record(ann);
    const benSeen = record(ben);
    const sends = 10;
    for (let seq = 1; seq <= sends; seq++) {
      const ack = ann.call('SendMessageCommand', { conversationId: conv, clientMessageId: `o-${seq}`, body: `hello ${seq}` }, 'SendMessageResponse');
      const pong = ann.call('PingCommand', { t: seq }, 'PongResponse');
      await Promise.all([ack, pong]);
      await ben.waitFor((f) => isConversationsAt(f, conv, seq));
      await ann.waitFor((f) => isConversationsAt(f, conv, seq));
    }
    // Each ping is answered (at once or after the ack, as the frames' arrival fell), and
    // never between an ack and its conversations notification: those leave in one write.
    expect(annSeen.filter((f) => f === 'PongResponse')).toHaveLength(sends);
    expect(annSeen.filter((f) => f !== 'PongResponse')).toEqual(Array.from({ length: sends }, (_, i) => [`SendMessageResponse ${i + 1}`, 'ResourceChangedNotification conversations']).flat());
    for (let i = 0; i < annSeen.length; i++) if (annSeen[i]!.startsWith('SendMessageResponse')) expect(annSeen[i + 1]).toBe('ResourceChangedNotification conversations');
    expect(benSeen).toEqual(Array.from({ length: sends }, () => ['ResourceChangedNotification messages', 'ResourceChangedNotification conversations']).flat());
  });
});

function isConversationsAt(f: Frame, conv: string, seq: number): boolean {
  return (
    f.name === 'ResourceChangedNotification' &&
    (f.payload as { resource: string }).resource === 'conversations' &&
    (f.payload as { items?: Record<string, { latestSeq: number }> }).items?.[conv]?.latestSeq === seq
  );
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../app';
import type { Frame, ProtocolClient } from '../test/protocol-client';
import { directPair, loginAs, startTestServer } from '../test/harness';

/**
 * The sending socket's own `messages:<id>` notification is left out when its
 * ack carries every message of that commit for the conversation
 * (docs/PROTOCOL.md, "Notifications in detail"); the user's other
 * sockets and the other members still get it, items inline. (Two sockets'
 * messages in one commit: handlers/send-path.test.ts.)
 */
describe("the sender's own messages notification", () => {
  let server: RunningServer;
  let ann: ProtocolClient;
  let annTab2: ProtocolClient;
  let ben: ProtocolClient;
  let conv: string;

  beforeAll(async () => {
    server = await startTestServer();
    ({ ann, ben, conv } = await directPair(server));
    ({ client: annTab2 } = await loginAs(server, 'ann'));
    for (const c of [ann, annTab2, ben]) {
      await c.call('SubscribeCommand', { resource: 'conversations' }, 'SubscribeResponse');
      await c.call('SubscribeCommand', { resource: `messages:${conv}` }, 'SubscribeResponse');
    }
  });
  afterAll(() => server.close());

  it('is not sent to the sending socket, but to its other tab and to the recipient', async () => {
    for (let seq = 1; seq <= 3; seq++) {
      const ack = await ann.call('SendMessageCommand', { conversationId: conv, clientMessageId: `own-${seq}`, body: `own ${seq}` }, 'SendMessageResponse');
      expect(ack.message.seq).toBe(seq);
      // The batch's conversations notification follows its messages notification on
      // every socket, so once it is here a messages notification would be here too.
      await ann.waitFor((f) => isConversationsAt(f, conv, seq));
      expect(ann.queued((f) => isNote(f, `messages:${conv}`))).toEqual([]);
      for (const other of [annTab2, ben]) {
        const note = await other.waitFor((f) => isNote(f, `messages:${conv}`) && (f.payload as { version: number }).version === seq);
        expect((note.payload as { items: Record<string, unknown> }).items).toEqual({ [ack.message.id]: ack.message });
        await other.waitFor((f) => isConversationsAt(f, conv, seq));
      }
    }
    expect([...server.storage.messages.after(conv, 0, 10)].map((m) => (m.kind === 'message' ? m.body : m.kind))).toEqual(['own 1', 'own 2', 'own 3']);
  });
});

function isNote(f: Frame, resource: string): boolean {
  return f.name === 'ResourceChangedNotification' && (f.payload as { resource: string }).resource === resource;
}

function isConversationsAt(f: Frame, conv: string, seq: number): boolean {
  return isNote(f, 'conversations') && (f.payload as { items?: Record<string, { latestSeq: number }> }).items?.[conv]?.latestSeq === seq;
}

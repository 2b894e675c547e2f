import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../app';
import { loginAs, testPasswordHash, startTestServer } from '../test/harness';
import type { Frame, ProtocolClient } from '../test/protocol-client';

/**
 * What one message and one receipt in a group of 500 cost in bytes on the
 * members' sockets, every member connected and subscribed to `conversations`
 * and to the group's messages (docs/PROTOCOL.md section 7a). With every
 * member's entry sent to every member (version 1, or full entries per
 * caller) one message cost 500 entries of 30-58 KB: 15-29 MB. The bounds
 * here are linear: about 1 KB a member for a message, nothing for a receipt
 * that moves nobody's summary (but its receipts subscribers), and a
 * summary patch each when the lowest position moves. Large-group and
 * receipt intervals are off, so each change is notified by itself.
 */
const SIZE = 500;
const settle = (c: ProtocolClient): Promise<Frame> => c.request('PingCommand', {});

describe('bytes of a group of 500', () => {
  let server: RunningServer;
  let conv: string;
  const members: { client: ProtocolClient; id: string; bytes: number }[] = [];
  const total = (): number => members.reduce((sum, m) => sum + m.bytes, 0);
  const reset = (): void => {
    for (const m of members) m.bytes = 0;
  };
  const settleAll = async (): Promise<void> => {
    await Promise.all(members.map((m) => settle(m.client)));
    reset();
  };

  beforeAll(async () => {
    server = await startTestServer({
      largeGroupNotifyIntervalMs: 0,
      receiptNoticeIntervalMs: 0,
      maxSocketsPerAddress: SIZE + 10,
    });
    const hash = await testPasswordHash();
    const names = Array.from({ length: SIZE }, (_, i) => `m${String(i).padStart(3, '0')}`);
    const ids = server.seeder.users(names.map((username) => ({ username, passwordHash: hash })));
    conv = server.seeder.conversation({ memberIds: ids, kind: 'group' });
    server.seeder.messages(conv, [{ senderId: ids[0]!, body: 'first' }]);
    // In small batches: one address may have few sockets opening and few hashes waiting at once.
    for (let i = 0; i < SIZE; i += 8) {
      const batch = await Promise.all(
        names.slice(i, i + 8).map(async (name, j) => {
          const { client } = await loginAs(server, name);
          await client.call('SubscribeCommand', { resource: 'conversations' }, 'SubscribeResponse');
          await client.call('SubscribeCommand', { resource: `messages:${conv}` }, 'SubscribeResponse');
          const member = { client, id: ids[i + j]!, bytes: 0 };
          // Every frame but the answers to the pings that wait for the others.
          client.ws.on('message', (data: Buffer) => {
            if (!data.subarray(0, 40).toString().includes('PongResponse')) member.bytes += data.length;
          });
          return member;
        }),
      );
      members.push(...batch);
    }
  }, 120_000);
  afterAll(async () => {
    for (const m of members) m.client.close();
    await server.close();
  });

  it('one message costs O(members) bytes in all: under 1 KB a member, where full entries cost 30 KB each', async () => {
    await settleAll();
    await members[0]!.client.call('SendMessageCommand', { conversationId: conv, clientMessageId: 'one', body: 'hello, everyone' }, 'SendMessageResponse');
    await Promise.all(
      members.slice(1).map((m) => m.client.waitFor((f) => f.name === 'ResourceChangedNotification' && f.payload['resource'] === 'conversations', 10_000)),
    );
    await Promise.all(members.map((m) => settle(m.client)));
    const bytes = total();
    expect(bytes, `${bytes} bytes for one message to ${SIZE} members`).toBeLessThan(SIZE * 1000);
  }, 60_000);

  it('a receipt that moves nobody\'s summary reaches only its receipts subscribers and its author', async () => {
    const watchers = members.slice(1, 4);
    for (const w of watchers) await w.client.call('SubscribeCommand', { resource: `receipts:${conv}` }, 'SubscribeResponse');
    await settleAll();
    // m499 reads everything; m001 and others have read nothing, so nobody's lowest moves.
    const reader = members[SIZE - 1]!;
    await reader.client.call('MarkReadCommand', { conversationId: conv, seq: 2 }, 'MarkReadResponse');
    await Promise.all(watchers.map((w) => w.client.waitFor((f) => f.name === 'ResourceChangedNotification' && f.payload['resource'] === `receipts:${conv}`)));
    await Promise.all(members.map((m) => settle(m.client)));
    const others = members.slice(0, SIZE - 1).reduce((sum, m) => sum + m.bytes, 0);
    // Three receipts notifications of one member each (about 200 bytes), nothing to the other 496.
    expect(others).toBeLessThan(watchers.length * 400);
    expect(members.slice(4, SIZE - 1).filter((m) => m.bytes > 0)).toEqual([]);
    for (const w of watchers) await w.client.call('UnsubscribeCommand', { resource: `receipts:${conv}` }, 'UnsubscribeResponse');
  }, 60_000);

  it('a receipt that moves the lowest position costs each member one small patch', async () => {
    // Everyone but m000 reads seq 2: m000 still holds the lowest read position of everyone else's others.
    for (const m of members.slice(1, SIZE - 1)) m.client.send('MarkReadCommand', { conversationId: conv, seq: 2 });
    await Promise.all(members.slice(1, SIZE - 1).map((m) => m.client.waitFor((f) => f.name === 'MarkReadResponse', 10_000)));
    await settleAll();
    // m000 holds everyone else's lowest: its read moves the summaries of the other 499.
    await members[0]!.client.call('MarkReadCommand', { conversationId: conv, seq: 2 }, 'MarkReadResponse');
    await Promise.all(
      members.slice(1).map((m) => m.client.waitFor((f) => f.name === 'ResourceChangedNotification' && f.payload['resource'] === 'conversations', 10_000)),
    );
    await Promise.all(members.map((m) => settle(m.client)));
    const bytes = total();
    expect(bytes, `${bytes} bytes for the receipt that moved ${SIZE - 1} summaries`).toBeLessThan(SIZE * 400);
  }, 60_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import type { RunningServer } from '../app';
import { loginAs, seedUsers, sleep, startTestServer } from '../test/harness';

/**
 * A client that asks for large replies and never reads them must not make
 * the server buffer without bound: past maxBufferedBytes unsent, its next
 * command closes it with 1008 (it reconnects and resyncs), as the hub does
 * for notifications.
 */
describe('a client that stops reading', () => {
  let server: RunningServer;
  let ids: Record<string, string>;
  const maxBufferedBytes = 2 * 1024 * 1024;

  beforeAll(async () => {
    server = await startTestServer({ maxBufferedBytes });
    ids = await seedUsers(server, ['ann', 'ben']);
  });
  afterAll(() => server.close());

  it('is closed once its unsent replies pass maxBufferedBytes, and is sent little more than that', { timeout: 45_000 }, async () => {
    const conv = server.seeder.conversation({ memberIds: [ids['ann']!, ids['ben']!] });
    server.seeder.messages(conv, Array.from({ length: 500 }, () => ({ senderId: ids['ben']!, body: '\u0001'.repeat(4000) })));
    const { client } = await loginAs(server, 'ann');
    let received = 0;
    client.ws.on('message', (data: Buffer) => (received += data.length));
    const tcp = (client.ws as unknown as { _socket: Socket })._socket;
    const open = server.connectionCount();
    tcp.pause();
    // 150 pages of 1 MiB each: 150 MiB the server would hold for a socket that reads nothing.
    for (let i = 0; i < 150; i++) client.send('GetMessagesCommand', { conversationId: conv, afterSeq: 0, limit: 500, requestId: `p${i}` });
    // Still not reading until the server lets the socket go (or has answered everything it was asked).
    for (let waited = 0; waited < 20_000 && server.connectionCount() >= open; waited += 50) await sleep(50);
    tcp.resume();
    const closed = await Promise.race([client.closed, sleep(10_000).then(() => null)]);
    // 1008, or 1006 when it did not read the close frame either within the second the server waits for it.
    expect([1008, 1006]).toContain(closed?.code);
    // What it was sent: the buffer's limit, one reply past it, and what the loopback's kernel buffers
    // held (autotuned, 1-25 MB seen): far under the 156 MB the 150 replies are.
    expect(received).toBeLessThan(maxBufferedBytes + 40 * 1024 * 1024);
  });
});

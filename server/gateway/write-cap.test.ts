import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import type { RunningServer } from '../app';
import { ProtocolClient } from '../test/protocol-client';
import { loginAs, seedUsers, startTestServer } from '../test/harness';
import { waitFor } from '../../reliability/lib/wait';

/** The socket under a ws client: pausing it stops the client reading, so the server's replies pile up. */
function stopReading(client: ProtocolClient): void {
  (client.ws as unknown as { _socket: Socket })._socket.pause();
}

async function counted(server: RunningServer, metric: string, label: string): Promise<number> {
  const values = (await server.metrics.registry.getSingleMetric(metric)?.get())?.values ?? [];
  return values.filter((v) => Object.values(v.labels).includes(label)).reduce((sum, v) => sum + v.value, 0);
}

describe('gateway: the write cap on a socket that does not read', () => {
  let server: RunningServer;
  let conv: string;
  const PIPELINED = 40;

  beforeAll(async () => {
    // A 256 KiB cap, and pages of 200 messages of 4,000 characters (about 0.9 MB a reply).
    server = await startTestServer({ maxBufferedBytes: 256 * 1024, limits: { commandBurst: 1e6, commandsPerSecond: 1e6 } });
    const ids = await seedUsers(server, ['rita', 'sam']);
    conv = server.seeder.conversation({ memberIds: [ids['rita']!, ids['sam']!] });
    server.seeder.messages(conv, Array.from({ length: 200 }, (_, i) => ({ senderId: ids['rita']!, body: `${i} ${'x'.repeat(3990)}` })));
  });
  afterAll(() => server.close());

  it('closes a socket that pipelines history pages and never reads them, and runs few of the pages', async () => {
    const { client } = await loginAs(server, 'rita');
    const before = await counted(server, 'tidings_commands_total', 'GetMessagesCommand');
    const sockets = server.connectionCount();
    stopReading(client);
    // Corked, the 40 frames leave in one write and reach the server in one read: all are decoded in the same turn.
    const raw = (client.ws as unknown as { _socket: Socket })._socket;
    raw.cork();
    for (let i = 0; i < PIPELINED; i++) client.send('GetMessagesCommand', { conversationId: conv, limit: 200, requestId: `g${i}` });
    raw.uncork();
    await waitFor(() => server.connectionCount() === sockets - 1, 'the server to close the socket that does not read', 10_000);
    expect(await counted(server, 'tidings_socket_limit_total', 'too_slow')).toBe(1);
    // Pages are run one at a time and only while the socket is under its cap: what the kernel's
    // buffers took, plus one; without the gate every one of the 40 would have been read from the database.
    const ran = (await counted(server, 'tidings_commands_total', 'GetMessagesCommand')) - before;
    expect(ran).toBeGreaterThan(0);
    expect(ran).toBeLessThan(PIPELINED / 2);
  });

  it('closes a subscriber that does not read its notifications, and nobody else', async () => {
    const { client: slow } = await loginAs(server, 'sam');
    const { client: reader } = await loginAs(server, 'sam');
    const { client: sender } = await loginAs(server, 'rita');
    for (const c of [slow, reader]) await c.call('SubscribeCommand', { resource: `messages:${conv}` }, 'SubscribeResponse');
    stopReading(slow);
    const sockets = server.connectionCount();
    // Batches of 50 messages of 4 KB until the slow socket is closed: the kernel's buffers take a few MB first.
    for (let batch = 0; batch < 60 && server.connectionCount() === sockets; batch++) {
      for (let i = 0; i < 49; i++) sender.send('SendMessageCommand', { conversationId: conv, clientMessageId: `n${batch}-${i}`, body: 'y'.repeat(3990) });
      await sender.call('SendMessageCommand', { conversationId: conv, clientMessageId: `n${batch}-last`, body: 'y'.repeat(3990) }, 'SendMessageResponse');
    }
    await waitFor(() => server.connectionCount() === sockets - 1, 'the slow subscriber to be closed', 10_000);
    expect(reader.ws.readyState).toBe(reader.ws.OPEN);
    expect(await reader.call('PingCommand', {}, 'PongResponse')).toHaveProperty('serverTime');
    reader.close();
    sender.close();
  });
});

import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningServer } from '../app';
import { ProtocolClient } from '../test/protocol-client';
import { loginAs, seedUsers, sleep, startTestServer } from '../test/harness';

describe('gateway: framing, limits, origin, heartbeat', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({
      limits: { commandsPerSecond: 20, commandBurst: 10, floodCloseAfterMs: 300, heartbeatIntervalMs: 150 },
    });
    await seedUsers(server, ['ola', 'pia']);
  });
  afterAll(() => server.close());

  async function registered(): Promise<ProtocolClient> {
    const c = await ProtocolClient.connect(server.wsUrl);
    await c.register();
    return c;
  }

  it('answers malformed frames with coded errors and keeps the socket open', async () => {
    const c = await registered();
    c.sendRaw('{not json');
    expect((await c.next('ErrorResponse')).code).toBe('BAD_JSON');
    c.sendRaw('[1,2]');
    expect((await c.next('ErrorResponse')).code).toBe('BAD_FRAME');
    c.sendRaw('{"com.comoyo.PingCommand":{},"extra":{}}');
    expect((await c.next('ErrorResponse')).code).toBe('BAD_FRAME');
    c.sendRaw('{"PingCommand":{}}');
    expect((await c.next('ErrorResponse')).code).toBe('BAD_FRAME');
    c.sendRaw('{"com.comoyo.PingCommand":[]}');
    expect((await c.next('ErrorResponse')).code).toBe('BAD_FRAME');
    c.sendRaw(Buffer.from('{"com.comoyo.PingCommand":{}}'), true);
    const binary = await c.next('ErrorResponse');
    expect(binary.code).toBe('BAD_FRAME');
    expect(binary.message).toContain('binary');
    c.sendRaw('{"com.comoyo.LaunchRocketCommand":{"requestId":"r-x"}}');
    expect(await c.next('ErrorResponse')).toMatchObject({ code: 'UNKNOWN_COMMAND', requestId: 'r-x', command: 'LaunchRocketCommand' });
    const invalid = await c.fail('SubscribeCommand', { resource: 42 as unknown as string });
    expect(invalid.code).toBe('INVALID_PAYLOAD');
    expect(invalid.message).toContain('resource');
    expect(await c.call('PingCommand', {}, 'PongResponse')).toHaveProperty('serverTime');
    c.close();
  });

  it('closes the socket with 1009 on a frame over 64 KiB', async () => {
    const c = await registered();
    c.sendRaw(JSON.stringify({ 'com.comoyo.PingCommand': { pad: 'x'.repeat(70 * 1024) } }));
    expect((await c.closed).code).toBe(1009);
  });

  it('rate-limits with RATE_LIMITED and closes a socket still flooding with 1008', async () => {
    const c = await registered();
    for (let i = 0; i < 30; i++) c.send('PingCommand', { requestId: `f${i}` });
    const limited = await c.waitFor((f) => f.name === 'ErrorResponse' && f.payload['code'] === 'RATE_LIMITED');
    expect(limited.payload).toMatchObject({ command: 'PingCommand', requestId: expect.stringMatching(/^f/) });
    // Keep flooding past floodCloseAfterMs (300 ms).
    const flood = setInterval(() => {
      if (c.ws.readyState === WebSocket.OPEN) for (let i = 0; i < 10; i++) c.send('PingCommand', {});
    }, 20);
    const closed = await c.closed;
    clearInterval(flood);
    expect(closed.code).toBe(1008);
  });

  it('lets a client that backs off keep going', async () => {
    const c = await registered();
    for (let i = 0; i < 15; i++) c.send('PingCommand', {});
    await c.next('ErrorResponse');
    // The bucket refills at 20/s; wait less than the heartbeat cutoff (300 ms).
    await sleep(200);
    expect(await c.call('PingCommand', {}, 'PongResponse')).toHaveProperty('serverTime');
    c.close();
  });

  it('refuses an upgrade from a foreign Origin with HTTP 403 and accepts its own', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(server.wsUrl, { origin: 'https://evil.example' });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => reject(new Error('foreign origin was accepted')));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(403);
    const own = await ProtocolClient.connect(server.wsUrl, { origin: `http://localhost:${server.port}` });
    own.close();
  });

  it('drops a socket that stays silent for twice the heartbeat interval', async () => {
    const c = await registered();
    const pinging = await registered();
    const keepAlive = setInterval(() => pinging.send('PingCommand', {}), 100);
    const closed = await c.closed;
    expect(closed.code).toBe(1008);
    expect(pinging.ws.readyState).toBe(WebSocket.OPEN);
    clearInterval(keepAlive);
    pinging.close();
  });

  it('answers a plain HTTP GET of /ws with 426', async () => {
    const status = await new Promise<number>((resolve) => {
      request(`${server.url}/ws`, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).end();
    });
    expect(status).toBe(426);
  });

  it('answers an unexpected failure with INTERNAL and a generic sentence', async () => {
    const { client } = await loginAs(server, 'ola');
    // Break storage under the handler: a query against a dropped table throws a non-protocol error.
    server.db.exec('ALTER TABLE contacts RENAME TO contacts_gone');
    const err = await client.fail('GetContactsCommand', {});
    server.db.exec('ALTER TABLE contacts_gone RENAME TO contacts');
    expect(err.code).toBe('INTERNAL');
    expect(err.message).not.toMatch(/sqlite|contacts|at /i);
    client.close();
  });
});

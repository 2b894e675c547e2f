import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionStatus } from '../core/client-core-api';
import { createDispatch, type Dispatch } from '../dispatch/dispatch';
import { ProtocolError } from '../protocol';
import { backoffDelay } from './backoff';
import { Communicator } from './communicator';
import { ConnectionError } from './connection-error';
import { FakeWebSocket, FakeWebSocketImpl } from './testing/fake-web-socket';

class FakeWindow extends EventTarget {}

let bus: Dispatch;
let onlineEvents: FakeWindow;
let states: ConnectionStatus[];

function build(random = () => 0.5): Communicator {
  return new Communicator({ url: 'ws://test/ws', dispatch: bus, WebSocketImpl: FakeWebSocketImpl, onlineEvents, random, heartbeatIntervalMs: 1000 });
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
  bus = createDispatch();
  onlineEvents = new FakeWindow();
  states = [];
  bus.subscribe('connection:state', (s) => states.push(s));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('backoffDelay', () => {
  it('doubles from 0.5 s to a 30 s cap, jittered within [step/2, step]', () => {
    const steps = [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000];
    steps.forEach((step, attempt) => {
      expect(backoffDelay(attempt, () => 0)).toBe(step / 2);
      expect(backoffDelay(attempt, () => 0.999999)).toBeLessThanOrEqual(step);
      expect(backoffDelay(attempt, () => 0.999999)).toBeGreaterThan(step * 0.99);
    });
  });
});

describe('Communicator', () => {
  it('namespaces outgoing commands and triggers incoming short names on the bus', () => {
    const c = build();
    c.start();
    const socket = FakeWebSocket.latest();
    socket.open();
    expect(c.sendMessage('PingCommand', { t: 1 })).toBe(true);
    expect(socket.sent).toEqual([{ name: 'PingCommand', payload: { t: 1 } }]);
    const pongs: unknown[] = [];
    bus.subscribe('PongResponse', (p) => pongs.push(p));
    socket.receive('PongResponse', { t: 1, serverTime: 5 });
    expect(pongs).toEqual([{ t: 1, serverTime: 5 }]);
    c.stop();
  });

  it('reports malformed or invalid frames as protocol:error and never passes them on', () => {
    const c = build();
    c.start();
    const socket = FakeWebSocket.latest();
    socket.open();
    const errors: string[] = [];
    const contacts: unknown[] = [];
    bus.subscribe('protocol:error', (e) => errors.push(e.error.code));
    bus.subscribe('ContactsResponse', (p) => contacts.push(p));
    socket.receiveRaw('{nope');
    socket.receiveRaw('{"com.comoyo.ContactsResponse":{"contacts":{"x":{"id":5}},"version":1}}');
    socket.receiveRaw('{"com.comoyo.EvilNotification":{}}');
    socket.receiveRaw(new ArrayBuffer(4));
    expect(errors).toEqual(['BAD_JSON', 'INVALID_PAYLOAD', 'UNKNOWN_COMMAND', 'BAD_FRAME']);
    expect(contacts).toEqual([]);
    c.stop();
  });

  it('announces connecting, online, then offline with nextAttemptAt, and retries on the backoff schedule', () => {
    const c = build(() => 0);
    c.start();
    expect(states.at(-1)).toMatchObject({ state: 'connecting' });
    FakeWebSocket.latest().open();
    expect(states.at(-1)).toEqual({ state: 'online' });
    FakeWebSocket.latest().close(1006);
    const offline = states.at(-1)!;
    expect(offline.state).toBe('offline');
    expect(offline.nextAttemptAt! - Date.now()).toBe(250);
    vi.advanceTimersByTime(249);
    expect(FakeWebSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.latest().close(1006);
    expect(states.at(-1)!.nextAttemptAt! - Date.now()).toBe(500);
    vi.advanceTimersByTime(500);
    expect(FakeWebSocket.instances).toHaveLength(3);
    FakeWebSocket.latest().open();
    FakeWebSocket.latest().close(1006);
    expect(states.at(-1)!.nextAttemptAt! - Date.now()).toBe(250);
    c.stop();
  });

  it('reconnects at once on the online event', () => {
    const c = build();
    c.start();
    FakeWebSocket.latest().close(1006);
    expect(FakeWebSocket.instances).toHaveLength(1);
    onlineEvents.dispatchEvent(new Event('online'));
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(states.at(-1)!.state).toBe('connecting');
    c.stop();
  });

  it('declares the socket dead after two missed pongs and reconnects', () => {
    const c = build(() => 0);
    c.start();
    const socket = FakeWebSocket.latest();
    socket.open();
    const closes: number[] = [];
    bus.subscribe('connection:close', (e) => closes.push(e.code));
    vi.advanceTimersByTime(1000);
    expect(socket.sentNamed('PingCommand')).toHaveLength(1);
    socket.receive('PongResponse', { serverTime: 1 });
    vi.advanceTimersByTime(2000);
    expect(socket.sentNamed('PingCommand')).toHaveLength(3);
    expect(closes).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(closes).toEqual([4000]);
    expect(states.at(-1)!.state).toBe('offline');
    vi.advanceTimersByTime(250);
    expect(FakeWebSocket.instances).toHaveLength(2);
    c.stop();
  });

  it('uses the heartbeat interval the server announces', () => {
    const c = build();
    c.start();
    const socket = FakeWebSocket.latest();
    socket.open();
    socket.receive('ClientRegistrationResponse', {
      clientId: 'c',
      protocolVersion: 1,
      serverTime: 0,
      heartbeatIntervalMs: 5000,
      limits: { maxFrameBytes: 65536, maxBodyLength: 4000 },
    });
    vi.advanceTimersByTime(4999);
    expect(socket.sentNamed('PingCommand')).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(socket.sentNamed('PingCommand')).toHaveLength(1);
    c.stop();
  });

  it('tells the caller when a frame cannot be sent because the socket is down', async () => {
    const c = build();
    c.start();
    expect(c.sendMessage('PingCommand', {})).toBe(false);
    await expect(c.request('GetContactsCommand', {})).rejects.toMatchObject({ code: 'OFFLINE' });
    c.stop();
  });

  it('resolves a request with its response and rejects with the ErrorResponse code', async () => {
    const c = build();
    c.start();
    const socket = FakeWebSocket.latest();
    socket.open();
    const ok = c.request('AddContactCommand', { username: 'bob' });
    const bad = c.request('AddContactCommand', { username: 'zed' });
    const [first, second] = socket.sentNamed('AddContactCommand');
    expect(first!['requestId']).not.toEqual(second!['requestId']);
    const contact = { id: 'u2', username: 'bob', displayName: 'Bob', online: false, lastSeenAt: null };
    socket.receive('ErrorResponse', { code: 'NOT_FOUND', message: 'no user zed', requestId: second!['requestId'] });
    socket.receive('AddContactResponse', { contact, requestId: first!['requestId'] });
    await expect(ok).resolves.toMatchObject({ contact });
    const error = await bad.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe('NOT_FOUND');
    c.stop();
  });

  it('rejects waiting requests when the socket closes, and on timeout', async () => {
    const c = build();
    c.start();
    const socket = FakeWebSocket.latest();
    socket.open();
    const lost = c.request('GetContactsCommand', {});
    const slow = c.request('GetConversationsCommand', {}, 100);
    vi.advanceTimersByTime(100);
    await expect(slow).rejects.toMatchObject({ code: 'TIMEOUT' });
    socket.close(1006);
    const error = await lost.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toBe('DISCONNECTED');
    c.stop();
  });

  it('stops for good: no reconnect after stop()', () => {
    const c = build();
    c.start();
    FakeWebSocket.latest().open();
    c.stop();
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(states.at(-1)).toEqual({ state: 'offline' });
  });
});

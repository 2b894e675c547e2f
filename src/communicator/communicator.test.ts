import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionStatus } from './connection-events';
import { createDispatch, type Dispatch } from '../dispatch/dispatch';
import { MAX_INCOMING_FRAME_BYTES, ProtocolError, encodeFrame } from '../protocol';
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
      protocolVersion: 2,
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

  it('hands an answer to its request only; an answer nobody waits for (late, or never asked) goes to the bus', async () => {
    const c = build();
    c.start();
    const socket = FakeWebSocket.latest();
    socket.open();
    const onBus: string[] = [];
    bus.subscribe('AddContactResponse', (p) => onBus.push(p.contact.username));
    bus.subscribe('ErrorResponse', (p) => onBus.push(p.code));
    const contact = (username: string) => ({ id: `u_${username}`, username, displayName: username, online: false, lastSeenAt: null });
    const asked = c.request('AddContactCommand', { username: 'bob' });
    const refused = c.request('AddContactCommand', { username: 'zed' }).catch((e: unknown) => e);
    const timedOut = c.request('AddContactCommand', { username: 'carol' }, 100).catch((e: unknown) => e);
    const [bob, zed, carol] = socket.sentNamed('AddContactCommand').map((p) => p['requestId']);
    socket.receive('AddContactResponse', { contact: contact('bob'), requestId: bob });
    socket.receive('ErrorResponse', { code: 'NOT_FOUND', message: 'no user zed', requestId: zed });
    vi.advanceTimersByTime(100);
    expect(await timedOut).toMatchObject({ code: 'TIMEOUT' });
    socket.receive('AddContactResponse', { contact: contact('carol'), requestId: carol });
    socket.receive('AddContactResponse', { contact: contact('dave') });
    await expect(asked).resolves.toMatchObject({ contact: contact('bob') });
    expect(await refused).toMatchObject({ code: 'NOT_FOUND' });
    expect(onBus).toEqual(['carol', 'dave']);
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

  it('refuses a frame over its cap unparsed: protocol:error, pending requests fail at once, reconnects with growing delays', async () => {
    const c = new Communicator({ url: 'ws://test/ws', dispatch: bus, WebSocketImpl: FakeWebSocketImpl, onlineEvents, random: () => 0, heartbeatIntervalMs: 60_000, maxIncomingFrameBytes: 1000 });
    const errors: { code: string; frame: string }[] = [];
    const contacts: unknown[] = [];
    const closes: number[] = [];
    bus.subscribe('protocol:error', (e) => errors.push({ code: e.error.code, frame: e.frame }));
    bus.subscribe('ContactsResponse', (p) => contacts.push(p));
    bus.subscribe('connection:close', (e) => closes.push(e.code));
    c.start();
    const first = FakeWebSocket.latest();
    first.open();
    const closeCalls = vi.spyOn(first, 'close');
    // A request with no timeout: without the refusal it would wait for as long as the socket stays open.
    const pending = c.request('GetContactsCommand', {}, null);
    const requestId = first.sentNamed('GetContactsCommand')[0]!['requestId'];
    const contact = { id: 'u2', username: 'bob', displayName: 'x'.repeat(1000), online: false, lastSeenAt: null };
    first.receive('ContactsResponse', { contacts: { u2: contact }, version: 1, requestId });
    await expect(pending).rejects.toMatchObject({ code: 'DISCONNECTED' });
    expect(contacts).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe('BAD_FRAME');
    expect(errors[0]!.frame.length).toBeLessThanOrEqual(200);
    expect(first.readyState).toBe(3);
    // A browser throws on close codes other than 1000 and 3000-4999 (and the socket would stay open), so not 1009.
    expect(closeCalls.mock.calls.map((call) => call[0])).toEqual([4009]);
    expect(closes).toEqual([4009]);
    // Backoff after oversize frames grows (0.25 s, then 0.5 s at random() = 0) even though each socket opened.
    vi.advanceTimersByTime(250);
    const second = FakeWebSocket.latest();
    expect(second).not.toBe(first);
    second.open();
    second.receiveRaw(`{"com.comoyo.PongResponse":{"t":1,"serverTime":1,"pad":"${'y'.repeat(2000)}"}}`);
    vi.advanceTimersByTime(250);
    expect(FakeWebSocket.latest()).toBe(second);
    vi.advanceTimersByTime(250);
    expect(FakeWebSocket.latest()).not.toBe(second);
    c.stop();
  });

  it('measures the cap in UTF-8 bytes: a frame of short length but many bytes is refused, one just under is parsed', () => {
    const c = new Communicator({ url: 'ws://test/ws', dispatch: bus, WebSocketImpl: FakeWebSocketImpl, onlineEvents, heartbeatIntervalMs: 60_000, maxIncomingFrameBytes: 1000 });
    const pongs: unknown[] = [];
    const errors: string[] = [];
    bus.subscribe('PongResponse', (p) => pongs.push(p));
    bus.subscribe('protocol:error', (e) => errors.push(e.error.code));
    c.start();
    const socket = FakeWebSocket.latest();
    socket.open();
    const frame = (pad: string): string => encodeFrame('PongResponse', { t: 1, serverTime: 1, pad });
    const fits = frame('é'.repeat(400)); // about 850 bytes, length about 450: encoded to check
    expect(new TextEncoder().encode(fits).length).toBeLessThanOrEqual(1000);
    socket.receiveRaw(fits);
    expect(pongs).toHaveLength(1);
    const tooBig = frame('€'.repeat(330)); // 3 bytes each: over 1000 bytes, under 1000 characters
    expect(tooBig.length).toBeLessThan(1000);
    socket.receiveRaw(tooBig);
    expect(pongs).toHaveLength(1);
    expect(errors).toEqual(['BAD_FRAME']);
    expect(socket.readyState).toBe(3);
    c.stop();
  });

  it('parses the largest genuine reply: a full page of the longest, most escaped bodies fits MAX_INCOMING_FRAME_BYTES', () => {
    const c = build();
    const pages: { messages: Record<string, unknown> }[] = [];
    bus.subscribe('MessagesResponse', (p) => pages.push(p));
    c.start();
    const socket = FakeWebSocket.latest();
    socket.open();
    const id = (prefix: string, n: number): string => `${prefix}_${String(n).padStart(62 - prefix.length, '0')}`;
    const messages: Record<string, unknown> = {};
    for (let n = 1; n <= 500; n++) {
      // 4,000 control characters: each is 6 bytes in JSON (\u0001), the worst a body can cost.
      messages[id('m', n)] = { id: id('m', n), conversationId: id('c', 1), seq: Number.MAX_SAFE_INTEGER - n, senderId: id('u', 1), clientMessageId: '\u0002'.repeat(64), body: '\u0001'.repeat(4000), sentAt: Number.MAX_SAFE_INTEGER,
        kind: 'message', replyTo: id('m', 0), attachments: [], reactions: {}, editedAt: Number.MAX_SAFE_INTEGER, deletedAt: null, revision: Number.MAX_SAFE_INTEGER };
    }
    const text = encodeFrame('MessagesResponse', { conversationId: id('c', 1), messages, latestSeq: Number.MAX_SAFE_INTEGER, hasMore: true, requestId: 'r'.repeat(64) });
    expect(new TextEncoder().encode(text).length).toBeLessThanOrEqual(MAX_INCOMING_FRAME_BYTES);
    socket.receiveRaw(text);
    expect(pages).toHaveLength(1);
    expect(Object.keys(pages[0]!.messages)).toHaveLength(500);
    c.stop();
  });

  it('after a login-deadline close (4408) holds no socket until asked, then connects at once', () => {
    const c = build(() => 0);
    c.start();
    FakeWebSocket.latest().open();
    FakeWebSocket.latest().close(4408);
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(states.at(-1)).toEqual({ state: 'online' });
    c.reconnectNow();
    expect(FakeWebSocket.instances).toHaveLength(2);
    c.stop();
  });

  it('backs off after refusals from the server (1008, 4429) even though each socket opened', () => {
    const c = build(() => 0);
    c.start();
    const delays: number[] = [];
    for (const code of [4429, 4429, 1008, 4429]) {
      FakeWebSocket.latest().open();
      FakeWebSocket.latest().close(code);
      delays.push(states.at(-1)!.nextAttemptAt! - Date.now());
      vi.advanceTimersByTime(delays.at(-1)!);
    }
    expect(delays).toEqual([250, 500, 1000, 2000]);
    // An ordinary drop after an open starts small again.
    FakeWebSocket.latest().open();
    FakeWebSocket.latest().close(1006);
    expect(states.at(-1)!.nextAttemptAt! - Date.now()).toBe(250);
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

describe('Communicator: noticing a dead socket within seconds', () => {
  /** A started communicator whose socket opened `handshakeMs` after it was made. */
  function opened(handshakeMs = 0): { c: Communicator; socket: FakeWebSocket; closes: number[] } {
    const c = new Communicator({ url: 'ws://test/ws', dispatch: bus, WebSocketImpl: FakeWebSocketImpl, onlineEvents, random: () => 0, heartbeatIntervalMs: 25_000, probeTimeoutMs: 2000, unansweredMs: 3000 });
    const closes: number[] = [];
    bus.subscribe('connection:close', (e) => closes.push(e.code));
    c.start();
    const socket = FakeWebSocket.latest();
    vi.advanceTimersByTime(handshakeMs);
    socket.open();
    return { c, socket, closes };
  }

  it("pings at once on the browser's offline event and, with nothing heard within the probe deadline, goes offline", async () => {
    const { c, socket, closes } = opened();
    const waiting = c.request('GetContactsCommand', {}, null).catch((e: unknown) => e);
    onlineEvents.dispatchEvent(new Event('offline'));
    expect(socket.sentNamed('PingCommand')).toHaveLength(1);
    vi.advanceTimersByTime(1999);
    expect(closes).toEqual([]);
    expect(c.isOpen()).toBe(true);
    vi.advanceTimersByTime(1);
    expect(closes).toEqual([4000]);
    expect(states.at(-1)!.state).toBe('offline');
    expect(await waiting).toMatchObject({ code: 'DISCONNECTED' });
    c.stop();
  });

  it('stays online when anything arrives within the probe deadline (a socket to a reachable server survives a false offline event)', () => {
    const { c, socket, closes } = opened();
    onlineEvents.dispatchEvent(new Event('offline'));
    vi.advanceTimersByTime(1500);
    socket.receive('PongResponse', { serverTime: 1 });
    vi.advanceTimersByTime(10_000);
    expect(closes).toEqual([]);
    expect(c.isOpen()).toBe(true);
    c.stop();
  });

  it('probes when a request goes unanswered with nothing heard for a few seconds, then goes offline', () => {
    const { c, socket, closes } = opened();
    void c.request('SendMessageCommand', { conversationId: 'c1', clientMessageId: 'm1', body: 'hi' }, 30_000).catch(() => undefined);
    vi.advanceTimersByTime(2999);
    expect(socket.sentNamed('PingCommand')).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(socket.sentNamed('PingCommand')).toHaveLength(1);
    vi.advanceTimersByTime(2000);
    expect(closes).toEqual([4000]);
    expect(states.at(-1)!.state).toBe('offline');
    c.stop();
  });

  it('does not probe a slow answer on a socket that keeps talking, nor when the answer came', () => {
    const { c, socket, closes } = opened();
    void c.request('GetMessagesCommand', { conversationId: 'c1', afterSeq: 0 }, null).catch(() => undefined);
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(2000);
      socket.receive('TypingNotification', { conversationId: 'c1', userId: 'u2', typing: true });
    }
    expect(socket.sentNamed('PingCommand')).toHaveLength(0);
    const answered = c.request('GetContactsCommand', {});
    socket.receive('ContactsResponse', { contacts: {}, version: 1, requestId: socket.sentNamed('GetContactsCommand')[0]!['requestId'] });
    void answered;
    vi.advanceTimersByTime(2000);
    expect(closes).toEqual([]);
    c.stop();
  });

  it('gives a link known to be slow the time it needs: a handshake and answers that take 6 s are waited for, not cut', () => {
    const { c, socket, closes } = opened(6000);
    for (let round = 0; round < 3; round++) {
      const asked = c.request('GetContactsCommand', {}, null);
      void asked.catch(() => undefined);
      vi.advanceTimersByTime(6000);
      const requestId = socket.sentNamed('GetContactsCommand')[round]!['requestId'];
      socket.receive('ContactsResponse', { contacts: {}, version: 1, requestId });
    }
    expect(closes).toEqual([]);
    // Measured at about 6 s, the link gets more than 6 s before a probe, and more than that before the cut.
    void c.request('GetConversationsCommand', {}, null).catch(() => undefined);
    vi.advanceTimersByTime(6500);
    expect(closes).toEqual([]);
    onlineEvents.dispatchEvent(new Event('offline'));
    vi.advanceTimersByTime(6500);
    expect(closes).toEqual([]);
    vi.advanceTimersByTime(60_000);
    expect(closes).toEqual([4000]);
    c.stop();
  });
});

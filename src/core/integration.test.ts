// @vitest-environment node
/**
 * The real client core (no views) against the real server in mock mode, over
 * real sockets on loopback: the `ws` package stands in for the browser's
 * WebSocket, in-memory backends for the browser's storage.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../server/app';
import type { ServerOptions } from '../../server/config';
import type { SessionRecord } from '../store/records';
import type { StoreBackends } from '../store/store';
import { RecordingBackend } from '../store/testing/recording-backend';
import type { SessionEndReason } from './client-core-api';
import { createClientCore, type ClientCore } from './create-client-core';

const AB = 'c_alice_bob';
let server: RunningServer | null = null;
let cores: ClientCore[] = [];

async function serve(options: ServerOptions = {}): Promise<RunningServer> {
  server = await startServer({ port: 0, mock: true, scrypt: { N: 1024 }, ...options });
  return server;
}

function device(): StoreBackends {
  return { local: new RecordingBackend(), indexed: new RecordingBackend() };
}

function client(backends: StoreBackends = device(), extra: { sendsPerSecond?: number } = {}): ClientCore {
  const core = createClientCore({
    url: server!.wsUrl,
    WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket,
    storage: { backends },
    onlineEvents: null,
    visibility: null,
    random: () => 0,
    receiptDebounceMs: 20,
    flushDelayMs: 5,
    ...extra,
  });
  cores.push(core);
  return core;
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function login(username: string, core = client()): Promise<ClientCore> {
  let ready = false;
  core.dispatch.once('session:ready', () => (ready = true));
  await core.start();
  core.session.login({ username, password: `tidings-${username}`, publicComputer: false });
  await waitFor(() => ready, `${username}'s session`);
  return core;
}

async function drop(): Promise<void> {
  const response = await fetch(`${server!.url}/__test__/drop`, { method: 'POST' });
  expect(response.status).toBe(200);
}

function bodies(core: ClientCore, conversationId = AB): string[] {
  return core.collections.messagesFor(conversationId).pluck('body');
}

afterEach(async () => {
  for (const core of cores) await core.stop();
  cores = [];
  await server?.close();
  server = null;
});

describe('client core against the real server', () => {
  it('logs in and receives contacts, conversations and history', async () => {
    await serve();
    const alice = await login('alice');
    await waitFor(() => alice.store.syncPosition(AB).syncedSeq === 40, 'the history of alice and bob');
    expect(alice.collections.contacts.pluck('username').sort()).toEqual(['bob', 'carol']);
    expect(alice.collections.conversations.pluck('id')).toContain('c_weekend');
    expect(alice.collections.messagesFor(AB).pluck('seq')).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    // The long conversation starts from its newest page and pages back on demand.
    await waitFor(() => alice.store.messagesOf('c_alice_carol').length === 100, 'the newest page');
    expect(await alice.history.loadOlder('c_alice_carol')).toBe(true);
    expect(alice.store.messagesOf('c_alice_carol')).toHaveLength(200);
  });

  it('sends and receives between two clients, with receipts', async () => {
    await serve();
    const alice = await login('alice');
    const bob = await login('bob');
    alice.outbox.send(AB, 'hello bob');
    await waitFor(() => bodies(bob).includes('hello bob'), 'bob to receive');
    await waitFor(() => alice.outbox.pendingCount() === 0, 'the acknowledgement');
    bob.receipts.setVisibleConversation(AB);
    const mine = alice.collections.messagesFor(AB).findWhere({ body: 'hello bob' })!;
    await waitFor(() => mine.get('state') === 'read', 'the read receipt');
    expect(bodies(alice).filter((b) => b === 'hello bob')).toHaveLength(1);
  });

  it('loses and duplicates nothing when every socket drops mid-flight', async () => {
    await serve();
    const alice = await login('alice');
    const bob = await login('bob');
    const sent = Array.from({ length: 30 }, (_, i) => `burst ${i}`);
    for (const [i, body] of sent.entries()) {
      alice.outbox.send(AB, body);
      if (i === 12) await drop();
    }
    await waitFor(() => alice.outbox.pendingCount() === 0, 'the outbox to drain', 15_000);
    await waitFor(() => sent.every((b) => bodies(bob).includes(b)), 'bob to catch up', 15_000);
    for (const core of [alice, bob]) {
      const received = bodies(core).filter((b) => b.startsWith('burst '));
      expect(received).toEqual(sent);
      const seqs = core.collections.messagesFor(AB).pluck('seq');
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    }
  });

  it('asks for the password when the stored token is stale, keeping the outbox', async () => {
    await serve();
    const backends = device();
    const stale: SessionRecord = {
      id: 'current',
      user: { id: 'u_alice', username: 'alice', displayName: 'Alice' },
      sessionToken: 'not-a-live-token',
      publicComputer: false,
      expiresAt: 0,
    };
    await backends.local.write({ set: [['tidings:session', stale]], merge: [], del: [] });
    const core = client(backends);
    const failures: string[] = [];
    core.dispatch.subscribe('login:failed', (e) => failures.push(e.reason));
    await core.start();
    core.outbox.send(AB, 'queued before the password');
    await waitFor(() => failures.length > 0, 'the token login to fail');
    expect(failures).toEqual(['SESSION_EXPIRED']);
    expect(core.outbox.pendingCount()).toBe(1);
    core.session.login({ username: 'alice', password: 'tidings-alice', publicComputer: false });
    await waitFor(() => core.outbox.pendingCount() === 0, 'the outbox to flush');
    expect(bodies(core)).toContain('queued before the password');
  });

  it('waits at the login form past the login deadline without reconnecting, then signs up and logs in at once', async () => {
    await serve({ loginDeadlineMs: 1000 });
    const core = client();
    const closes: number[] = [];
    let ready = false;
    core.dispatch.subscribe('connection:close', (e) => closes.push(e.code));
    core.dispatch.once('session:ready', () => (ready = true));
    await core.start();
    await waitFor(() => closes.length > 0, 'the login deadline');
    await new Promise((r) => setTimeout(r, 300));
    // One close, no socket reopened meanwhile just to be closed again.
    expect(closes).toEqual([4408]);
    expect(server!.connectionCount()).toBe(0);
    await core.session.signup({ username: 'dora', password: 'dora-password', publicComputer: false });
    await waitFor(() => ready, "dora's session");
    expect(core.session.currentUser()?.username).toBe('dora');
  });

  it('ends a session revoked by a logout elsewhere and wipes what it stored', async () => {
    await serve();
    const first = await login('alice');
    await first.store.flush();
    const session = first.store.find('session', 'current')!;
    const backends = device();
    await backends.local.write({ set: [['tidings:session', session]], merge: [], del: [] });
    const second = client(backends);
    const ended: SessionEndReason[] = [];
    second.dispatch.subscribe('session:ended', (e) => ended.push(e.reason));
    let ready = false;
    second.dispatch.once('session:ready', () => (ready = true));
    await second.start();
    await waitFor(() => ready, 'the token resume');
    await second.store.flush();
    await first.session.logout();
    await waitFor(() => ended.length > 0, 'the revocation');
    expect(ended).toEqual(['revoked']);
    expect((backends.local as RecordingBackend).data.size).toBe(0);
    expect(second.collections.conversations.length).toBe(0);
  });

  it('backs off on RATE_LIMITED and still delivers everything in order', async () => {
    await serve({ limits: { commandsPerSecond: 10, commandBurst: 10, floodCloseAfterMs: 60_000 } });
    const alice = await login('alice');
    const limited: string[] = [];
    const sent = Array.from({ length: 25 }, (_, i) => `paced ${i}`);
    const original = alice.communicator.request.bind(alice.communicator);
    alice.communicator.request = ((name, payload, timeout) =>
      original(name, payload, timeout).catch((e: { code?: string }) => {
        if (e.code === 'RATE_LIMITED') limited.push(name);
        throw e;
      })) as typeof alice.communicator.request;
    for (const body of sent) alice.outbox.send(AB, body);
    await waitFor(() => alice.outbox.pendingCount() === 0, 'the paced outbox', 19_000);
    expect(limited).toContain('SendMessageCommand');
    expect(bodies(alice).filter((b) => b.startsWith('paced '))).toEqual(sent);
  });

  it('survives a full disk: evicts old history, keeps the outbox, announces it', async () => {
    await serve();
    const backends = device();
    (backends.indexed as RecordingBackend).messageQuota = 60;
    const alice = client(backends);
    const evicted: number[] = [];
    alice.dispatch.subscribe('store:evicted', (e) => evicted.push(e.messages));
    await login('alice', alice);
    await waitFor(() => evicted.length > 0, 'the store to run out of room');
    await alice.store.flush();
    // What is on screen stays: the newest messages are the last to go.
    expect(alice.store.messagesOf(AB).at(-1)?.seq).toBe(40);
    // Keep the outbox entry from being acknowledged: nothing is sent while the server is paused.
    await fetch(`${server!.url}/__test__/pause?ms=2000`, { method: 'POST' });
    alice.outbox.send(AB, 'must survive');
    await alice.store.flush();
    expect(evicted.length).toBeGreaterThan(0);
    const keys = [...(backends.indexed as RecordingBackend).data.keys()];
    expect(keys.some((k) => k.includes(':outbox:'))).toBe(true);
  });

  it('version 2: an edit, a reaction and a deletion reach both clients; the deleted text leaves both devices', async () => {
    await serve();
    const aliceDevice = device();
    const bobDevice = device();
    const alice = await login('alice', client(aliceDevice));
    const bob = await login('bob', client(bobDevice));
    alice.outbox.send(AB, 'the secret plan');
    await waitFor(() => alice.outbox.pendingCount() === 0 && bodies(bob).includes('the secret plan'), 'the message');
    const id = alice.collections.messagesFor(AB).findWhere({ body: 'the secret plan' })!.data.id;
    alice.outbox.edit(AB, id, 'the secret plan, v2');
    bob.outbox.react(AB, id, '👍', true);
    const row = (core: ClientCore) => core.collections.messagesFor(AB).find((m) => m.get('id') === id)!.attributes;
    await waitFor(() => [alice, bob].every((c) => row(c).body === 'the secret plan, v2' && row(c).reactions?.['👍']?.[0] === 'u_bob'), 'the edit and the reaction everywhere');
    alice.outbox.deleteMessage(AB, id);
    await waitFor(() => [alice, bob].every((c) => row(c).deletedAt !== null && row(c).body === ''), 'the deletion everywhere');
    for (const core of [alice, bob]) {
      expect(row(core).revision).toBe(core.store.syncPosition(AB).syncedSeq);
      expect(core.collections.messagesFor(AB).filter((m) => m.get('id') === id)).toHaveLength(1);
      await core.store.flush();
    }
    for (const backends of [aliceDevice, bobDevice]) {
      const everything = JSON.stringify([...(backends.local as RecordingBackend).data.values(), ...(backends.indexed as RecordingBackend).data.values()]);
      expect(everything).not.toContain('secret plan');
    }
  });

  it('version 2: a removed member keeps the group read-only, and a change made offline meanwhile fails with its sentence', async () => {
    await serve();
    const alice = await login('alice');
    const carolsDevice = device();
    const before = await login('carol', client(carolsDevice));
    const weekend = 'c_weekend';
    await waitFor(() => before.store.syncPosition(weekend).syncedSeq === 5, "carol's history of the group");
    await before.stop();
    // Carol's next page load starts from her device, offline, and she writes in the group...
    const carol = client(carolsDevice);
    await carol.store.load();
    carol.outbox.send(weekend, 'count me in');
    // ...while alice, the owner, removes her.
    alice.outbox.removeMember(weekend, 'u_carol');
    await waitFor(() => alice.outbox.pendingCount() === 0, 'the removal');
    await login('carol', carol);
    await waitFor(() => carol.store.find('conversations', weekend)?.memberIds.includes('u_carol') === false, 'carol to learn she was removed', 15_000);
    await waitFor(() => carol.store.findAll('outbox').every((e) => e.state === 'failed'), "carol's change to fail", 15_000);
    expect(carol.store.findAll('outbox').map((e) => e.error?.message)).toEqual(['You are no longer a member of this conversation.']);
    expect(carol.collections.conversations.get(weekend)!.isMember('u_carol')).toBe(false);
    // What she had stays on her device.
    await carol.store.loadStoredHistory(weekend, Infinity);
    expect(carol.store.messagesOf(weekend).filter((e) => e.kind === 'message').length).toBeGreaterThanOrEqual(5);
    expect(alice.collections.messagesFor(weekend).pluck('body')).not.toContain('count me in');
  });
});

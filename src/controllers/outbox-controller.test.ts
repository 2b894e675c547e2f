import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from '../communicator/testing/fake-web-socket';
import type { ClientCore } from '../core/create-client-core';
import { CrossTabChannel, type ChannelLike } from '../offline/cross-tab-channel';
import { OutboxLeadership } from '../offline/outbox-leadership';
import { syncOutboxAcrossTabs } from '../offline/outbox-tab-sync';
import { channelHub, fakeLocks } from '../offline/testing/fake-tabs';
import type { StoreBackends } from '../store/store';
import { buildCore, deviceBackends, settle, startFakeWorld, endFakeWorld } from './testing/core-harness';
import type { FakeServer } from './testing/fake-server';

/**
 * Several tabs of one device: cores sharing storage, a lock manager and a
 * BroadcastChannel, each with its own sockets, on the fake server: only the
 * tab holding the outbox lock puts a send on the wire.
 */
interface Tab {
  core: ClientCore;
  sockets: FakeWebSocket[];
  close(): Promise<void>;
}

let server: FakeServer;
let tabs: Tab[];

function openTab(device: StoreBackends, locks: Pick<LockManager, 'request'> | null, hub: (name: string) => ChannelLike): Tab {
  const sockets: FakeWebSocket[] = [];
  class TabSocket extends FakeWebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  const core = buildCore(device, { WebSocketImpl: TabSocket as unknown as typeof WebSocket, outboxLeadership: new OutboxLeadership(locks) });
  const channel = new CrossTabChannel({ create: hub });
  const stopSync = syncOutboxAcrossTabs({ dispatch: core.dispatch, store: core.store, channel });
  let open = true;
  const tab: Tab = {
    core,
    sockets,
    // A closed (or crashed) tab: its socket goes and the browser frees its lock.
    async close() {
      if (!open) return;
      open = false;
      stopSync();
      channel.close();
      await core.stop();
    },
  };
  tabs.push(tab);
  return tab;
}

async function logIn(tab: Tab, publicComputer = false): Promise<void> {
  void tab.core.start();
  await settle(1);
  server.acceptAll();
  await settle(1);
  tab.core.session.login({ username: 'alice', password: 'tidings-alice', publicComputer });
  await settle();
}

/** Two tabs of one device (shared storage, locks and channel), both logged in as alice; the first leads. */
async function twoTabs(locks: Pick<LockManager, 'request'> | null = fakeLocks()): Promise<[Tab, Tab]> {
  const device = deviceBackends();
  const hub = channelHub();
  const first = openTab(device, locks, hub);
  const second = openTab(device, locks, hub);
  await logIn(first);
  await logIn(second);
  return [first, second];
}

/** clientMessageIds of the SendMessageCommands a tab put on the wire. */
function sendsOf(tab: Tab): string[] {
  return tab.sockets.flatMap((socket) => socket.sentNamed('SendMessageCommand').map((p) => p['clientMessageId'] as string));
}

async function offline(): Promise<void> {
  server.dropAll();
  await settle(1);
}

async function backOnline(): Promise<void> {
  await settle(300);
  server.acceptAll();
  await settle(300);
}

function bodiesOf(tab: Tab): unknown[] {
  return tab.core.collections.messagesFor('c1').pluck('body');
}

beforeEach(() => {
  server = startFakeWorld();
  tabs = [];
});
afterEach(async () => {
  for (const tab of tabs) await tab.close();
  endFakeWorld();
});

describe('OutboxController across tabs', () => {
  it('only the lock holder sends: a follower tab\'s message goes out once, by the leader, and both tabs show it sent', async () => {
    const [leader, follower] = await twoTabs();

    const echo = follower.core.outbox.send('c1', 'from the follower');
    expect(follower.core.collections.messagesFor('c1').pluck('state')).toEqual(['pending']);
    await settle();
    expect(sendsOf(follower)).toEqual([]);
    expect(sendsOf(leader)).toEqual([echo.clientMessageId]);
    expect(server.messages.get('c1')!.map((m) => m.body)).toEqual(['from the follower']);
    for (const tab of [leader, follower]) {
      expect(tab.core.outbox.pendingCount()).toBe(0);
      expect(bodiesOf(tab)).toEqual(['from the follower']);
      expect(tab.core.collections.messagesFor('c1').pluck('state')).toEqual(['sent']);
    }
  });

  it('queued offline in both tabs: when the network returns each clientMessageId is sent once, in the order written', async () => {
    const [first, second] = await twoTabs();
    await offline();
    const written = ['a1', 'b1', 'a2', 'b2', 'a3', 'b3'].map((name) => {
      vi.advanceTimersByTime(1); // distinct createdAt, so the order written is the order sent
      return (name.startsWith('a') ? first : second).core.outbox.send('c1', name).clientMessageId;
    });
    await settle(); // the tabs tell each other in one message per burst
    for (const tab of [first, second]) expect(tab.core.outbox.pendingCount()).toBe(6);
    await backOnline();

    const sent = [...sendsOf(first), ...sendsOf(second)];
    expect(sent.sort()).toEqual([...written].sort());
    expect(sendsOf(second)).toEqual([]);
    expect(server.messages.get('c1')!.map((m) => m.body)).toEqual(['a1', 'b1', 'a2', 'b2', 'a3', 'b3']);
    for (const tab of [first, second]) {
      expect(tab.core.outbox.pendingCount()).toBe(0);
      expect(bodiesOf(tab)).toEqual(['a1', 'b1', 'a2', 'b2', 'a3', 'b3']);
    }
  });

  it('when the leader tab closes with messages pending, the next tab takes over at once and sends each once', async () => {
    const [leader, follower] = await twoTabs();
    leader.core.outbox.send('c1', 'before');
    await settle();
    await offline();
    const pending = ['one', 'two', 'three'].map((body, i) => {
      vi.advanceTimersByTime(1); // distinct createdAt: tabs writing in the same millisecond have no common order
      return (i === 1 ? follower : leader).core.outbox.send('c1', body).clientMessageId;
    });
    await settle();
    await leader.close();
    await backOnline();

    expect(sendsOf(follower)).toEqual(pending);
    expect(server.messages.get('c1')!.map((m) => m.body)).toEqual(['before', 'one', 'two', 'three']);
    expect(follower.core.outbox.pendingCount()).toBe(0);
    expect(bodiesOf(follower)).toEqual(['before', 'one', 'two', 'three']);
  });

  it('a follower online all along sends at once when the leader, cut off, closes', async () => {
    const [leader, follower] = await twoTabs();
    leader.sockets.at(-1)!.close(1006); // the leader's reconnect is never accepted
    await settle();
    const echo = follower.core.outbox.send('c1', 'waiting for a leader that can send');
    await settle();
    expect(sendsOf(leader)).toEqual([]);
    expect(sendsOf(follower)).toEqual([]);
    await leader.close();
    await settle();
    expect(sendsOf(follower)).toEqual([echo.clientMessageId]);
    expect(follower.core.outbox.pendingCount()).toBe(0);
  });

  it('a failure or a discard in one tab shows in the other; a retry from the follower is sent by the leader', async () => {
    const [leader, follower] = await twoTabs();
    server.refuse.set('c1', 'FORBIDDEN');
    const kept = follower.core.outbox.send('c1', 'refused then retried');
    const dropped = follower.core.outbox.send('c1', 'refused then discarded');
    await settle();
    for (const tab of [leader, follower]) expect(tab.core.collections.messagesFor('c1').pluck('state')).toEqual(['failed', 'failed']);
    server.refuse.delete('c1');
    follower.core.outbox.retry(kept.clientMessageId);
    await follower.core.collections.messagesFor('c1').findWhere({ clientMessageId: dropped.clientMessageId })!.destroy({ wait: true });
    await settle();
    expect(sendsOf(follower)).toEqual([]);
    expect(sendsOf(leader).filter((id) => id === kept.clientMessageId)).toHaveLength(2);
    for (const tab of [leader, follower]) {
      expect(tab.core.outbox.pendingCount()).toBe(0);
      expect(bodiesOf(tab)).toEqual(['refused then retried']);
    }
  });

  it('logging out in the leader tab hands the lock on', async () => {
    const [leader, follower] = await twoTabs();
    await leader.core.session.logout();
    await settle();
    follower.core.outbox.send('c1', 'after the other tab logged out');
    await settle();
    expect(sendsOf(follower)).toHaveLength(1);
    expect(server.messages.get('c1')!.map((m) => m.body)).toEqual(['after the other tab logged out']);
  });

  it('a public-computer tab sends its own outbox while another tab holds the lock, and tells no other tab', async () => {
    const locks = fakeLocks();
    const hub = channelHub();
    const trusted = openTab(deviceBackends(), locks, hub);
    const shared = openTab(deviceBackends(), locks, hub);
    await logIn(trusted);
    await logIn(shared, true);
    shared.core.outbox.send('c1', 'from the public tab');
    await settle();
    expect(sendsOf(shared)).toHaveLength(1);
    expect(sendsOf(trusted)).toEqual([]);
    expect(shared.core.outbox.pendingCount()).toBe(0);
  });

  it('a server message of mine settles the outbox entry it came from, even with no answer to the send', async () => {
    const tab = openTab(deviceBackends(), fakeLocks(), channelHub());
    await logIn(tab);
    server.silent = true; // the answer is lost...
    const echo = tab.core.outbox.send('c1', 'answered by the notification');
    await settle(1);
    server.silent = false;
    server.post('c1', 'u1', 'answered by the notification', echo.clientMessageId); // ...the notification is not
    await settle();
    expect(tab.core.outbox.pendingCount()).toBe(0);
    expect(tab.core.collections.messagesFor('c1').pluck('state')).toEqual(['sent']);
  });

  it('without Web Locks every tab sends, as before', async () => {
    const [first, second] = await twoTabs(null);
    second.core.outbox.send('c1', 'no locks');
    await settle();
    expect(sendsOf(second)).toHaveLength(1);
    expect(server.messages.get('c1')!.map((m) => m.body)).toEqual(['no locks']);
  });

  it('two tabs changing the same message offline: the leader sends both changes once each, and both tabs end in the same state', async () => {
    const [first, second] = await twoTabs();
    const echo = first.core.outbox.send('c1', 'plan A');
    await settle();
    const id = first.core.collections.messagesFor('c1').at(0).data.id;
    await offline();
    first.core.outbox.edit('c1', id, 'plan B');
    await settle(30); // the mirror reaches the other tab
    second.core.outbox.edit('c1', id, 'plan C');
    second.core.outbox.react('c1', id, '🎯', true);
    await settle(30);
    // Each tab shows both pending changes at once.
    for (const tab of [first, second]) expect(tab.core.collections.messagesFor('c1').at(0).attributes).toMatchObject({ body: 'plan C', reactions: { '🎯': ['u1'] } });
    await backOnline();
    const edits = [...first.sockets, ...second.sockets].flatMap((socket) => socket.sentNamed('EditMessageCommand'));
    expect(edits.map((p) => p['body'])).toEqual(['plan C']); // the second edit replaced the first, unsent one
    expect(second.sockets.flatMap((socket) => socket.sentNamed('EditMessageCommand'))).toEqual([]);
    const final = server.messages.get('c1')![0]!;
    expect(final).toMatchObject({ body: 'plan C', reactions: { '🎯': ['u1'] }, clientMessageId: echo.clientMessageId });
    for (const tab of [first, second]) {
      expect(tab.core.store.find('messages', id)).toEqual(final);
      expect(tab.core.outbox.pendingCount()).toBe(0);
      expect(tab.core.collections.messagesFor('c1').at(0).get('pendingChanges')).toBeUndefined();
    }
  });
});

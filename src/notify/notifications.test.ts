import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildCore, deviceBackends, endFakeWorld, settle, startFakeWorld } from '../controllers/testing/core-harness';
import type { FakeServer } from '../controllers/testing/fake-server';
import type { VisibilitySource } from '../controllers/receipt-controller';
import { NOTIFY_LOCK, type ClientCore } from '../core/create-client-core';
import { CrossTabChannel, type ChannelLike } from '../offline/cross-tab-channel';
import { OutboxLeadership } from '../offline/outbox-leadership';
import { syncPreferencesAcrossTabs } from '../offline/preference-tab-sync';
import { channelHub, fakeLocks } from '../offline/testing/fake-tabs';
import type { StoreBackends } from '../store/store';
import type { NotificationApi, NotificationContent, NotificationPermissionState, ShownNotification } from './notification-api';
import { installTabBadge } from './tab-badge';

/**
 * The notification rules on real cores and the fake server: which message
 * raises a system notification, from which tab, with what text, and the
 * unread total the tab's title shows. Each tab has its own socket, its own
 * page visibility and a fake Notification API; the tabs of one device share
 * storage, a lock manager and a BroadcastChannel.
 */
interface Raised extends NotificationContent {
  closed: boolean;
  click(): void;
}

/** The browser's Notification API as a recorder; the permission is the browser's, shared by the tabs of one device. */
class FakeNotifications implements NotificationApi {
  readonly raised: Raised[] = [];
  requests = 0;
  constructor(private readonly device: { permission: NotificationPermissionState }) {}
  permission(): NotificationPermissionState {
    return this.device.permission;
  }
  async requestPermission(): Promise<NotificationPermissionState> {
    this.requests++;
    if (this.device.permission === 'default') this.device.permission = 'granted';
    return this.device.permission;
  }
  show(content: NotificationContent): ShownNotification {
    const shown: ShownNotification & Raised = {
      ...content,
      closed: false,
      onclick: null,
      close: () => void (shown.closed = true),
      click: () => shown.onclick?.(new Event('click')),
    };
    this.raised.push(shown);
    return shown;
  }
}

/** A page's visibility and focus, switched by the test. */
class FakePage implements VisibilitySource {
  visible = false;
  private readonly listeners = new Map<string, Set<() => void>>();
  isVisible(): boolean {
    return this.visible;
  }
  addEventListener(type: string, listener: () => void): void {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(listener);
  }
  removeEventListener(type: string, listener: () => void): void {
    this.listeners.get(type)?.delete(listener);
  }
  show(visible: boolean): void {
    this.visible = visible;
    for (const listener of this.listeners.get('visibilitychange') ?? []) listener();
  }
}

interface Tab {
  core: ClientCore;
  page: FakePage;
  notifications: FakeNotifications;
  focused: number;
  close(): Promise<void>;
}

interface Device {
  backends: StoreBackends;
  locks: Pick<LockManager, 'request'>;
  hub: (name: string) => ChannelLike;
  browser: { permission: NotificationPermissionState };
}

let server: FakeServer;
let tabs: Tab[];

function newDevice(permission: NotificationPermissionState = 'default'): Device {
  return { backends: deviceBackends(), locks: fakeLocks(), hub: channelHub(), browser: { permission } };
}

function openTab(device: Device): Tab {
  const page = new FakePage();
  const notifications = new FakeNotifications(device.browser);
  const channel = new CrossTabChannel({ create: device.hub });
  const tab: Tab = {
    page,
    notifications,
    focused: 0,
    core: buildCore(device.backends, {
      visibility: page,
      outboxLeadership: new OutboxLeadership(device.locks),
      notifications: { api: notifications, channel, leadership: new OutboxLeadership(device.locks, NOTIFY_LOCK), focusTab: () => void tab.focused++, coalesceMs: 100 },
    }),
    async close() {
      stopSync();
      channel.close();
      await tab.core.stop();
    },
  };
  const stopSync = syncPreferencesAcrossTabs({ dispatch: tab.core.dispatch, store: tab.core.store, channel });
  tabs.push(tab);
  return tab;
}

async function logIn(tab: Tab, publicComputer = false): Promise<void> {
  void tab.core.start();
  await settle(1);
  server.acceptAll();
  await settle(1);
  tab.core.session.login({ username: 'alice', password: 'tidings-alice', publicComputer });
  await settle(100);
}

/** A tab of alice's, logged in, with notifications turned on (the permission asked from the person's click). */
async function notifyingTab(device = newDevice(), publicComputer = false): Promise<Tab> {
  const tab = openTab(device);
  await logIn(tab, publicComputer);
  await tab.core.notifications.enable();
  // The choice is on the device before another tab opens.
  await settle(10);
  return tab;
}

/** Bob writes in c1; the tabs hear it and the coalescing window passes. */
async function bobWrites(...bodies: string[]): Promise<void> {
  for (const body of bodies) server.post('c1', 'u2', body);
  await settle(300);
}

/** What the system still shows of a tab's notifications: the last one of each tag (it replaced the others), unless closed. */
function onScreen(tab: Tab): Raised[] {
  const byTag = new Map(tab.notifications.raised.map((n) => [n.tag, n]));
  return [...byTag.values()].filter((n) => !n.closed);
}

function raised(...from: Tab[]): Raised[] {
  return from.flatMap((tab) => tab.notifications.raised);
}

beforeEach(() => {
  server = startFakeWorld();
  tabs = [];
});
afterEach(async () => {
  for (const tab of tabs) await tab.close();
  endFakeWorld();
});

describe('system notifications', () => {
  it('a message from someone else while the tab is hidden raises one notification: the sender, a preview, the conversation as tag', async () => {
    const tab = await notifyingTab();
    await bobWrites('Are we still on for lunch tomorrow?');
    expect(raised(tab).map(({ title, body, tag }) => ({ title, body, tag }))).toEqual([
      { title: 'Bob', body: 'Are we still on for lunch tomorrow?', tag: 'tidings:c1' },
    ]);
  });

  it('the preview is the first 100 characters, on one line', async () => {
    const tab = await notifyingTab();
    await bobWrites(`${'word '.repeat(30)}\nand more`);
    const body = raised(tab)[0]!.body;
    expect(body.endsWith('…')).toBe(true);
    expect([...body].length).toBeLessThanOrEqual(101);
    expect(body).not.toContain('\n');
  });

  it('a visible, focused tab showing the conversation raises nothing; the same tab hidden does', async () => {
    const tab = await notifyingTab();
    tab.page.show(true);
    tab.core.receipts.setVisibleConversation('c1');
    await bobWrites('you see this one');
    expect(raised(tab)).toEqual([]);
    tab.page.show(false);
    await bobWrites('this one you do not');
    expect(raised(tab).map((n) => n.body)).toEqual(['this one you do not']);
  });

  it('nothing for my own messages, sent here or from another device', async () => {
    const tab = await notifyingTab();
    tab.core.outbox.send('c1', 'from this tab');
    server.post('c1', 'u1', 'from my phone');
    await settle(300);
    expect(raised(tab)).toEqual([]);
  });

  it('nothing for an edit, a reaction or a system entry; only the message itself', async () => {
    server.addConversation('g1', ['u1', 'u2'], 'group');
    const tab = await notifyingTab();
    const message = server.post('c1', 'u2', 'frist');
    await settle(300);
    server.write('EditMessageCommand', 'u2', { conversationId: 'c1', targetId: message.id, body: 'first', clientMessageId: 'e1' });
    server.write('ReactCommand', 'u2', { conversationId: 'c1', targetId: message.id, emoji: '👍', on: true, clientMessageId: 'r1' });
    server.write('RenameConversationCommand', 'u2', { conversationId: 'g1', title: 'Lunch club', clientMessageId: 't1' });
    await settle(300);
    expect(raised(tab).map((n) => n.body)).toEqual(['frist']);
    expect(tab.core.store.messagesOf('c1').map((e) => e.kind)).toEqual(['message', 'edit', 'reaction']);
    expect(tab.core.store.messagesOf('g1').map((e) => e.kind)).toEqual(['title']);
  });

  it('a group message names the group', async () => {
    server.addConversation('g1', ['u1', 'u2'], 'group');
    server.write('RenameConversationCommand', 'u2', { conversationId: 'g1', title: 'Lunch club', clientMessageId: 't1' });
    const tab = await notifyingTab();
    server.post('g1', 'u2', 'pizza?');
    await settle(300);
    expect(raised(tab).map(({ title, body }) => ({ title, body }))).toEqual([{ title: 'Bob in Lunch club', body: 'pizza?' }]);
  });

  it('nothing while notifications are off, nor before the person turned them on; the permission is never asked by itself', async () => {
    const device = newDevice();
    const tab = openTab(device);
    await logIn(tab);
    await bobWrites('nobody asked');
    expect(tab.notifications.requests).toBe(0);
    expect(tab.core.notifications.status()).toEqual({ permission: 'default', enabled: false, offerPrompt: true });
    await tab.core.notifications.enable();
    expect(tab.notifications.requests).toBe(1);
    await tab.core.notifications.disable();
    await bobWrites('turned off');
    expect(raised(tab)).toEqual([]);
    expect(tab.core.notifications.status()).toEqual({ permission: 'granted', enabled: false, offerPrompt: false });
  });

  it('a muted conversation raises nothing, and muting takes away what it had shown', async () => {
    const tab = await notifyingTab();
    await bobWrites('before the mute');
    await tab.core.notifications.setMuted('c1', true);
    expect(raised(tab)[0]!.closed).toBe(true);
    await bobWrites('after the mute');
    expect(raised(tab)).toHaveLength(1);
    await tab.core.notifications.setMuted('c1', false);
    await bobWrites('unmuted');
    expect(raised(tab).map((n) => n.body)).toEqual(['before the mute', 'unmuted']);
  });

  it('a burst is one notification per conversation that counts, and the next burst adds to it until read', async () => {
    const tab = await notifyingTab();
    await bobWrites('one', 'two', 'three');
    expect(raised(tab).map((n) => n.body)).toEqual(['3 new messages\nthree']);
    await bobWrites('four');
    expect(raised(tab).map((n) => [n.tag, n.body])).toEqual([['tidings:c1', '3 new messages\nthree'], ['tidings:c1', '4 new messages\nfour']]);
  });

  it('history caught up after a reconnect raises nothing; a message that arrives live afterwards does', async () => {
    const tab = await notifyingTab();
    server.dropAll();
    await settle(1);
    let last = server.post('c1', 'u2', 'missed 1', undefined, false);
    for (let i = 2; i <= 20; i++) last = server.post('c1', 'u2', `missed ${i}`, undefined, false);
    // The socket that comes back registers after those were sent.
    server.serverTime = last.sentAt + 1;
    await settle(1000);
    server.acceptAll();
    await settle(2000);
    expect(tab.core.collections.messagesFor('c1').length).toBe(20);
    expect(raised(tab)).toEqual([]);
    await bobWrites('live again');
    expect(raised(tab).map((n) => n.body)).toEqual(['live again']);
  });

  it('a conversation read elsewhere takes its notification away', async () => {
    const tab = await notifyingTab();
    await bobWrites('read me on the phone');
    const conversation = tab.core.store.find('conversations', 'c1')!;
    tab.core.store.addItems('conversations', { c1: { ...conversation, myReadSeq: tab.core.store.syncPosition('c1').syncedSeq } });
    expect(raised(tab)[0]!.closed).toBe(true);
  });

  it('a click brings the tab forward and asks the views to open the conversation', async () => {
    const tab = await notifyingTab();
    const opened: string[] = [];
    tab.core.dispatch.subscribe('notification:open', ({ conversationId }) => opened.push(conversationId));
    await bobWrites('click me');
    raised(tab)[0]!.click();
    expect(tab.focused).toBe(1);
    expect(opened).toEqual(['c1']);
    expect(raised(tab)[0]!.closed).toBe(true);
  });
});

describe('several tabs', () => {
  it('two tabs, both in the background: one notification, from the tab holding the lock', async () => {
    const device = newDevice();
    const first = await notifyingTab(device);
    const second = openTab(device);
    await logIn(second);
    await bobWrites('once only');
    expect(raised(first).map((n) => n.body)).toEqual(['once only']);
    expect(raised(second)).toEqual([]);
  });

  it('the other tab in front, showing the conversation: nobody notifies; showing another, the leader does', async () => {
    server.addConversation('c2', ['u1', 'u2']);
    const device = newDevice();
    const leader = await notifyingTab(device);
    const other = openTab(device);
    await logIn(other);
    other.page.show(true);
    other.core.receipts.setVisibleConversation('c1');
    await bobWrites('seen in the other tab');
    expect(raised(leader, other)).toEqual([]);
    other.core.receipts.setVisibleConversation('c2');
    await bobWrites('c1 is not on screen now');
    expect(raised(leader).map((n) => n.body)).toEqual(['c1 is not on screen now']);
    expect(raised(other)).toEqual([]);
  });

  it('when the leader tab closes, the next tab notifies', async () => {
    const device = newDevice();
    const first = await notifyingTab(device);
    const second = openTab(device);
    await logIn(second);
    await first.close();
    await settle(10);
    await bobWrites('after the first tab closed');
    expect(raised(second).map((n) => n.body)).toEqual(['after the first tab closed']);
  });

  it('a mute follows the person into the other tab', async () => {
    const device = newDevice();
    const first = await notifyingTab(device);
    const second = openTab(device);
    await logIn(second);
    await second.core.notifications.setMuted('c1', true);
    await settle(10);
    expect(first.core.notifications.isMuted('c1')).toBe(true);
    await bobWrites('muted everywhere');
    expect(raised(first, second)).toEqual([]);
  });
});

describe('a public computer', () => {
  it('shows no message text, keeps the choice in memory only, and closes its notifications at logout', async () => {
    const device = newDevice();
    const tab = await notifyingTab(device, true);
    await bobWrites('my secret plans');
    expect(raised(tab).map(({ title, body }) => ({ title, body }))).toEqual([{ title: 'Bob', body: 'New message' }]);
    await bobWrites('more', 'plans');
    expect(raised(tab).map((n) => n.body)).toEqual(['New message', '3 new messages']);
    expect(JSON.stringify([...(device.backends.local as unknown as { data: Map<string, unknown> }).data])).not.toContain('preferences');
    const ended = tab.core.session.logout();
    await settle(100);
    await ended;
    expect(onScreen(tab)).toEqual([]);
  });

  it('a trusted device keeps the choice and the mutes for the next start', async () => {
    const device = newDevice();
    const tab = await notifyingTab(device);
    await tab.core.notifications.setMuted('c1', true);
    await tab.core.store.flush();
    await tab.close();
    const again = openTab(device);
    await again.core.start();
    expect(again.core.notifications.status().enabled).toBe(true);
    expect(again.core.notifications.isMuted('c1')).toBe(true);
  });
});

describe('the unread total', () => {
  it('is the sum over unmuted conversations; the title shows it and drops to "Tidings" when read', async () => {
    server.addConversation('c2', ['u1', 'u2']);
    const tab = await notifyingTab();
    const stop = installTabBadge({ dispatch: tab.core.dispatch, document, appBadge: null, initialTotal: 0, drawIcon: null });
    await bobWrites('a', 'b');
    server.post('c2', 'u2', 'c');
    await settle(300);
    expect(tab.core.notifications.unreadTotal()).toBe(3);
    expect(document.title).toBe('(3) Tidings');
    await tab.core.notifications.setMuted('c1', true);
    await settle(100);
    expect(document.title).toBe('(1) Tidings');
    expect(tab.core.collections.conversations.get('c1')!.unreadCount()).toBe(2);
    tab.page.show(true);
    tab.core.receipts.setVisibleConversation('c2');
    await settle(2000);
    expect(document.title).toBe('Tidings');
    stop();
  });

  it('the app badge follows the total where the browser has one, and is cleared at logout', async () => {
    const tab = await notifyingTab();
    const badge: (number | 'clear')[] = [];
    const appBadge = { setAppBadge: async (n?: number) => void badge.push(n ?? 0), clearAppBadge: async () => void badge.push('clear') };
    const stop = installTabBadge({ dispatch: tab.core.dispatch, document, appBadge, initialTotal: 0, drawIcon: null });
    await bobWrites('a', 'b');
    await tab.core.session.logout();
    await settle(100);
    expect(badge).toEqual(['clear', 2, 'clear']);
    expect(document.title).toBe('Tidings');
    stop();
  });
});

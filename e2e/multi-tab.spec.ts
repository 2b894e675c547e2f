import type { Page } from '@playwright/test';
import { expect, test, USERS } from './fixtures';
import { ChatPage } from './pages/chat-page';
import { LoginPage } from './pages/login-page';
import { ConversationReader } from './support/conversation-reader';
import { WireRecorder } from './support/wire-recorder';

const ALICE_BOB = 'c_alice_bob';

/** A second tab of the same browser context: same storage, so it resumes the stored session. */
async function openSecondTab(page: Page, recorder?: WireRecorder, beforeLoad?: (tab: Page) => Promise<void>): Promise<ChatPage> {
  const tab = await page.context().newPage();
  recorder?.watch(tab, 'second');
  await beforeLoad?.(tab);
  await tab.goto('/');
  const chat = new ChatPage(tab);
  await chat.expectShown();
  return chat;
}

test('two tabs of one session show each other\'s sent and received messages, nothing doubled', async ({ signIn, server }) => {
  const alice = await signIn('alice');
  const bob = await signIn('bob');
  const tab1 = alice.chat;
  const tab2 = await openSecondTab(tab1.page);
  await tab1.open(/bob/i);
  await tab2.open(/bob/i);
  await bob.chat.open(/alice/i);

  const stamp = Date.now();
  const fromTab1 = `From the first tab ${stamp}`;
  const fromTab2 = `From the second tab ${stamp}`;
  const fromBob = `From Bob ${stamp}`;
  await tab1.send(fromTab1);
  await tab2.send(fromTab2);
  await bob.chat.send(fromBob);

  for (const chat of [tab1, tab2, bob.chat]) {
    for (const text of [fromTab1, fromTab2, fromBob]) await expect(chat.message(text)).toHaveCount(1);
  }
  await tab1.page.waitForTimeout(500);
  for (const chat of [tab1, tab2]) for (const text of [fromTab1, fromTab2, fromBob]) await expect(chat.message(text)).toHaveCount(1);

  const reader = await ConversationReader.open(server.url.replace(/^http/, 'ws') + '/ws', USERS.bob.username, USERS.bob.password);
  try {
    const bodies = (await reader.messagesAfter(ALICE_BOB)).map((m) => m.body).filter((b) => b.includes(String(stamp)));
    expect(bodies).toEqual([fromTab1, fromTab2, fromBob]);
  } finally {
    reader.close();
  }
});

test('a message written offline in one tab shows pending in the other, and goes out once', async ({ signIn, server }) => {
  const alice = await signIn('alice');
  const tab1 = alice.chat;
  const tab2 = await openSecondTab(tab1.page);
  await tab1.open(/bob/i);
  await tab2.open(/bob/i);

  await alice.context.setOffline(true);
  await server.control('drop');
  await expect(tab1.connectionBanner).toBeVisible();
  await expect(tab2.connectionBanner).toBeVisible();
  const text = `Offline in one tab ${Date.now()}`;
  await tab1.send(text);
  await expect(tab1.statusOf(text)).toHaveAccessibleName('Pending');
  // The outbox entry itself comes over the BroadcastChannel (src/offline/outbox-tab-sync.ts).
  await expect(tab2.message(text)).toHaveCount(1);
  await expect(tab2.statusOf(text)).toHaveAccessibleName('Pending');

  await alice.context.setOffline(false);
  for (const chat of [tab1, tab2]) await expect(chat.statusOf(text)).toHaveAccessibleName(/Sent|Delivered|Read/, { timeout: 30_000 });
  const reader = await ConversationReader.open(server.url.replace(/^http/, 'ws') + '/ws', USERS.bob.username, USERS.bob.password);
  try {
    const bodies = (await reader.messagesAfter(ALICE_BOB)).map((m) => m.body);
    expect(bodies.filter((b) => b === text)).toHaveLength(1);
  } finally {
    reader.close();
  }
  for (const chat of [tab1, tab2]) await expect(chat.message(text)).toHaveCount(1);
});

/** The bodies of the conversation as the server stores it, oldest first, of this test's messages. */
async function storedBodies(serverUrl: string, stamp: number): Promise<string[]> {
  const reader = await ConversationReader.open(serverUrl.replace(/^http/, 'ws') + '/ws', USERS.bob.username, USERS.bob.password);
  try {
    return (await reader.messagesAfter(ALICE_BOB)).map((m) => m.body).filter((b) => b.includes(String(stamp)));
  } finally {
    reader.close();
  }
}

test('messages queued offline in both tabs go on the wire once each when the network returns, from the outbox leader only', async ({ signIn, server }) => {
  test.setTimeout(90_000);
  const recorder = new WireRecorder();
  const alice = await signIn('alice');
  const tab1 = alice.chat;
  recorder.watch(tab1.page, 'first');
  const tab2 = await openSecondTab(tab1.page, recorder);
  await tab1.open(/bob/i);
  await tab2.open(/bob/i);

  await alice.context.setOffline(true);
  await server.control('drop');
  for (const chat of [tab1, tab2]) await expect(chat.connectionBanner).toBeVisible();
  const stamp = Date.now();
  const texts = [1, 2, 3, 4].map((n) => `Queued in tab ${n % 2 === 1 ? 'one' : 'two'} (${n}) ${stamp}`);
  for (const [i, text] of texts.entries()) {
    const writer = i % 2 === 0 ? tab1 : tab2;
    await writer.send(text);
    for (const chat of [tab1, tab2]) await expect(chat.statusOf(text)).toHaveAccessibleName('Pending');
  }
  expect(recorder.sends, 'nothing goes out while offline').toEqual([]);

  await alice.context.setOffline(false);
  for (const chat of [tab1, tab2]) {
    for (const text of texts) await expect(chat.statusOf(text)).toHaveAccessibleName(/Sent|Delivered|Read/, { timeout: 30_000 });
  }
  await tab1.page.waitForTimeout(1000); // nothing more trickles out
  expect(recorder.sendsPerBody(texts)).toEqual(Object.fromEntries(texts.map((text) => [text, [1]])));
  expect(recorder.tabsThatSent(texts)).toEqual(['first']);
  expect(await storedBodies(server.url, stamp)).toEqual(texts);
  for (const chat of [tab1, tab2]) for (const text of texts) await expect(chat.message(text)).toHaveCount(1);
});

test('the leader tab closes with messages pending: the other tab, online all along, takes over at once and delivers them, once each', async ({ signIn, server }) => {
  test.setTimeout(90_000);
  const recorder = new WireRecorder();
  const alice = await signIn('alice');
  const online = alice.chat;
  // The second tab's socket leads nowhere (it opens, nothing ever answers): it cannot send.
  const stuck = await openSecondTab(online.page, recorder, (page) => page.routeWebSocket('**/ws', () => undefined));
  // Reloading the first tab hands the outbox lock to the stuck tab, which queued for it.
  recorder.watch(online.page, 'online');
  await online.page.reload();
  await online.expectShown();
  await expect(online.connectionBanner).toBeHidden();
  await online.open(/bob/i);
  await stuck.open(/bob/i);

  const stamp = Date.now();
  const texts = [1, 2, 3].map((n) => `Pending when the leader closed ${n} ${stamp}`);
  await online.send(texts[0]!);
  await stuck.send(texts[1]!);
  await online.send(texts[2]!);
  for (const chat of [online, stuck]) for (const text of texts) await expect(chat.statusOf(text)).toHaveAccessibleName('Pending');
  // Online and logged in, and still not sending: the lock is the stuck tab's.
  await online.page.waitForTimeout(1500);
  expect(recorder.sends).toEqual([]);
  for (const text of texts) await expect(online.statusOf(text)).toHaveAccessibleName('Pending');

  await stuck.page.close();
  for (const text of texts) await expect(online.statusOf(text)).toHaveAccessibleName(/Sent|Delivered|Read/, { timeout: 10_000 });
  await online.page.waitForTimeout(1000);
  expect(recorder.sendsPerBody(texts)).toEqual(Object.fromEntries(texts.map((text) => [text, [1]])));
  expect(recorder.tabsThatSent(texts)).toEqual(['online']);
  expect(await storedBodies(server.url, stamp)).toEqual(texts);
  for (const text of texts) await expect(online.message(text)).toHaveCount(1);
});

test('logging out in one tab logs out the other and leaves nothing stored', async ({ signIn }) => {
  test.setTimeout(90_000);
  const alice = await signIn('alice');
  const tab1 = alice.chat;
  const tab2 = await openSecondTab(tab1.page);
  await tab2.open(/bob/i);
  await tab1.logOut();
  await new LoginPage(tab1.page).expectShown();
  await new LoginPage(tab2.page).expectShown();
  await expect(tab2.messageLog).toHaveCount(0);
  await expect
    .poll(() => tab2.page.evaluate(async () => ({ local: localStorage.length, databases: (await indexedDB.databases()).length })), { timeout: 30_000 })
    .toEqual({ local: 0, databases: 0 });
});

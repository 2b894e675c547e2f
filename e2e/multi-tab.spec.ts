import type { Page } from '@playwright/test';
import { expect, test, USERS } from './fixtures';
import { ChatPage } from './pages/chat-page';
import { LoginPage } from './pages/login-page';
import { ConversationReader } from './support/conversation-reader';

const ALICE_BOB = 'c_alice_bob';

/** A second tab of the same browser context: same storage, so it resumes the stored session. */
async function openSecondTab(page: Page): Promise<ChatPage> {
  const tab = await page.context().newPage();
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
  // Told through the BroadcastChannel, read from the shared IndexedDB.
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

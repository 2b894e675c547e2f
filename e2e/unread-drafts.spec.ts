import { expect, test, USERS } from './fixtures';
import { ChatPage } from './pages/chat-page';
import { GroupPage } from './pages/group-page';
import { ConversationReader } from './support/conversation-reader';

/** The demo direct conversation of alice and bob: 40 messages, all read (server/mock/demo-data.ts). */
const ALICE_BOB = 'c_alice_bob';


// Several people's browsers in each test, on a machine shared with other work: generous time.
test.describe.configure({ timeout: 180_000 });

test('opening a conversation with unread messages lands at the first of them under "New messages", and Jump to latest goes to the end', async ({ signIn, server }) => {
  const alice = await signIn('alice');
  const stamp = Date.now();
  const unread = Array.from({ length: 30 }, (_, i) => `Unread ${i + 1} of 30 ${stamp}`);
  const bob = await ConversationReader.open(server.url.replace(/^http/, 'ws') + '/ws', USERS.bob.username, USERS.bob.password);
  try {
    await bob.write(ALICE_BOB, unread);
  } finally {
    bob.close();
  }
  await expect(alice.chat.conversation('Bob')).toHaveAccessibleName(/30 unread/);
  await alice.chat.open('Bob');
  const group = new GroupPage(alice.chat.page);
  await expect(group.unreadLine).toBeInViewport();
  await expect(alice.chat.message(unread[0]!)).toBeInViewport();
  // The line sits right above the first unread message.
  const below = await group.unreadLine.evaluate((el) => el.closest('.row')?.nextElementSibling?.textContent ?? '');
  expect(below).toContain(unread[0]!);
  await expect(alice.chat.message(unread[29]!)).not.toBeInViewport();
  await expect(group.jumpToLatest).toBeVisible();
  await expect(group.jumpToLatest).toHaveAccessibleName(/^Jump to latest \d+ unread$/);

  await group.jumpToLatest.click();
  await expect(alice.chat.message(unread[29]!)).toBeInViewport();
  await expect(group.jumpToLatest).toBeHidden();
  // Read now: the badge goes, and the line stays while the conversation is open.
  await expect(alice.chat.conversation('Bob')).not.toHaveAccessibleName(/unread/);
  await alice.chat.message(unread[0]!).scrollIntoViewIfNeeded();
  await expect(group.unreadLine).toBeVisible();
  await expect(group.jumpToLatest).toBeVisible();
  await expect(group.jumpToLatest).toHaveAccessibleName('Jump to latest');
  // Opened again with nothing unread: the end, no line.
  await alice.chat.open('Weekend plans');
  await alice.chat.open('Bob');
  await expect(alice.chat.message(unread[29]!)).toBeInViewport();
  await expect(group.unreadLine).toHaveCount(0);
});

test('a draft survives switching conversations and a reload, and appears in a second tab', async ({ signIn }) => {
  const alice = await signIn('alice');
  const tab1 = alice.chat;
  await tab1.open('Bob');
  const draft = `Half a thought ${Date.now()}`;
  await tab1.composer.fill(draft);
  await tab1.open('Weekend plans');
  await expect(tab1.composer).toHaveValue('');
  await tab1.open('Bob');
  await expect(tab1.composer).toHaveValue(draft);

  await tab1.page.reload();
  await tab1.expectShown();
  await tab1.open('Bob');
  await expect(tab1.composer).toHaveValue(draft);

  const second = await alice.context.newPage();
  await second.goto('/');
  const tab2 = new ChatPage(second);
  await tab2.expectShown();
  await tab2.open('Bob');
  await expect(tab2.composer).toHaveValue(draft);

  // Changed in the first tab while the second shows the conversation: the second follows.
  const changed = `${draft}, finished in the first tab`;
  await tab1.page.bringToFront();
  await tab1.composer.fill(changed);
  await expect(tab2.composer).toHaveValue(changed, { timeout: 10_000 });

  // Sent from the second tab: gone in both.
  await tab2.composer.press('Enter');
  await expect(tab2.message(changed)).toBeVisible();
  await expect(tab1.composer).toHaveValue('', { timeout: 10_000 });
});

import type { Page } from '@playwright/test';
import type { Entry } from '../src/protocol/index';
import { expect, test, USERS } from './fixtures';
import { ChatPage } from './pages/chat-page';
import { MessageActions } from './pages/message-actions';
import { ConversationReader } from './support/conversation-reader';

/** The demo direct conversation of alice and bob (server/mock/demo-data.ts). */
const ALICE_BOB = 'c_alice_bob';

// Several contexts, a reload and a reconnect each, on a machine shared with other work.
test.describe.configure({ timeout: 150_000 });

function wsUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws') + '/ws';
}

/** Reads alice and bob's conversation as bob, straight from the server. */
async function entriesAfter(serverUrl: string, afterSeq: number): Promise<Entry[]> {
  const reader = await ConversationReader.open(wsUrl(serverUrl), USERS.bob.username, USERS.bob.password);
  try {
    return await reader.entriesAfter(ALICE_BOB, afterSeq);
  } finally {
    reader.close();
  }
}

async function latestSeq(serverUrl: string): Promise<number> {
  const reader = await ConversationReader.open(wsUrl(serverUrl), USERS.bob.username, USERS.bob.password);
  try {
    return await reader.latestSeq(ALICE_BOB);
  } finally {
    reader.close();
  }
}

/** A second tab of the same browser context: same storage and outbox, the session resumed. */
async function secondTab(page: Page): Promise<ChatPage> {
  const tab = await page.context().newPage();
  await tab.goto('/');
  const chat = new ChatPage(tab);
  await chat.expectShown();
  return chat;
}

test('an edit, a deletion and a reaction made offline show at once, survive a reload and go out once each', async ({ signIn, server }) => {
  const alice = await signIn('alice');
  const bob = await signIn('bob');
  await alice.chat.open('Bob');
  await bob.chat.open('Alice');
  const stamp = Date.now();
  const [toEdit, toDelete, toReact] = ['typo heer', 'never mind', 'good news'].map((t) => `${t} ${stamp}`) as [string, string, string];
  for (const text of [toEdit, toDelete, toReact]) await alice.chat.send(text);
  for (const text of [toEdit, toDelete, toReact]) await expect(alice.chat.statusOf(text)).toHaveAccessibleName(/Sent|Delivered|Read/);
  const before = await latestSeq(server.url);
  // The cached shell must be served by the worker for the offline reload.
  await alice.chat.page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 15_000 });

  await alice.context.setOffline(true);
  await server.control('drop');
  await expect(alice.chat.connectionBanner).toBeVisible();
  const actions = new MessageActions(alice.chat);
  const fixed = `typo here ${stamp}`;
  await actions.edit(toEdit, fixed);
  await actions.deleteForEveryone(toDelete);
  await actions.react(toReact, 'red heart');
  await expect(actions.pendingMark(fixed)).toBeVisible();
  await expect(actions.reactionChip(toReact, '❤️')).toHaveAttribute('aria-pressed', 'true');
  await expect(actions.pendingMark(toReact)).toBeVisible();
  await expect(alice.chat.message(toDelete)).toHaveCount(0);

  await alice.chat.page.waitForTimeout(300); // the store's batched write reaches IndexedDB
  await alice.chat.page.reload();
  await alice.chat.expectShown();
  await alice.chat.open('Bob');
  await expect(actions.pendingMark(fixed)).toBeVisible();
  await expect(actions.reactionChip(toReact, '❤️')).toHaveAttribute('aria-pressed', 'true');
  await expect(alice.chat.message(toDelete)).toHaveCount(0);

  await alice.context.setOffline(false);
  await expect(bob.chat.message(fixed)).toBeVisible({ timeout: 30_000 });
  await expect(new MessageActions(bob.chat).reactionChip(toReact, '❤️')).toHaveAccessibleName('❤️ 1: Alice');
  await expect(bob.chat.message(toDelete)).toHaveCount(0);
  await expect(actions.pendingMark(fixed)).toHaveCount(0, { timeout: 30_000 });
  await expect(actions.pendingMark(toReact)).toHaveCount(0);
  await alice.chat.page.waitForTimeout(1000); // nothing more trickles in

  const entries = await entriesAfter(server.url, before);
  expect(entries.map((e) => e.kind)).toEqual(['edit', 'delete', 'reaction']);
  expect(entries.every((e, i) => i === 0 || e.seq === entries[i - 1]!.seq + 1)).toBe(true);
});

test('a reaction given and taken back offline sends nothing', async ({ signIn, server }) => {
  const alice = await signIn('alice');
  await alice.chat.open('Bob');
  const text = `On second thought ${Date.now()}`;
  await alice.chat.send(text);
  await expect(alice.chat.statusOf(text)).toHaveAccessibleName(/Sent|Delivered|Read/);
  const before = await latestSeq(server.url);
  await alice.context.setOffline(true);
  await server.control('drop');
  await expect(alice.chat.connectionBanner).toBeVisible();
  const actions = new MessageActions(alice.chat);
  await actions.react(text, 'thumbs up');
  await expect(actions.reactionChip(text, '👍')).toHaveAttribute('aria-pressed', 'true');
  await actions.reactionChip(text, '👍').click();
  await expect(actions.reactionChip(text, '👍')).toHaveCount(0);
  await alice.context.setOffline(false);
  await expect(alice.chat.connectionBanner).toBeHidden({ timeout: 30_000 });
  await alice.chat.page.waitForTimeout(1500);
  expect(await entriesAfter(server.url, before)).toEqual([]);
});

test('an edit of a message that has not gone out yet changes what is sent', async ({ signIn, server }) => {
  const alice = await signIn('alice');
  const bob = await signIn('bob');
  await alice.chat.open('Bob');
  await bob.chat.open('Alice');
  const before = await latestSeq(server.url);
  await alice.context.setOffline(true);
  await server.control('drop');
  await expect(alice.chat.connectionBanner).toBeVisible();
  const stamp = Date.now();
  await alice.chat.send(`First try ${stamp}`);
  await expect(alice.chat.statusOf(`First try ${stamp}`)).toHaveAccessibleName('Pending');
  // The Up arrow edits it while it waits in the outbox.
  await alice.chat.composer.press('ArrowUp');
  await expect(alice.chat.composer).toHaveValue(`First try ${stamp}`);
  await alice.chat.composer.fill(`Second try ${stamp}`);
  await alice.chat.composer.press('Enter');
  await expect(alice.chat.message(`Second try ${stamp}`)).toBeVisible();
  await expect(alice.chat.message(`First try ${stamp}`)).toHaveCount(0);

  await alice.context.setOffline(false);
  await expect(bob.chat.message(`Second try ${stamp}`)).toBeVisible({ timeout: 30_000 });
  await expect(alice.chat.statusOf(`Second try ${stamp}`)).toHaveAccessibleName(/Sent|Delivered|Read/, { timeout: 30_000 });
  await alice.chat.page.waitForTimeout(1000);
  const entries = await entriesAfter(server.url, before);
  // One message, sent as edited; no edit entry, and the first text never reached the server.
  expect(entries.map((e) => e.kind)).toEqual(['message']);
  expect(entries[0]).toMatchObject({ body: `Second try ${stamp}` });
  expect(JSON.stringify(entries)).not.toContain('First try');
});

test('two tabs of one person editing the same message end in the same state everywhere', async ({ signIn, server }) => {
  const alice = await signIn('alice');
  const bob = await signIn('bob');
  const tab1 = alice.chat;
  const tab2 = await secondTab(tab1.page);
  await tab1.open('Bob');
  await tab2.open('Bob');
  await bob.chat.open('Alice');
  const stamp = Date.now();
  const original = `Shared text ${stamp}`;
  await tab1.send(original);
  await expect(tab2.message(original)).toBeVisible();

  // Both tabs start editing the same message before either edit is sent, and save one after the other.
  const [one, two] = [new MessageActions(tab1), new MessageActions(tab2)];
  await one.choose(original, 'Edit');
  await two.choose(original, 'Edit');
  await tab1.composer.fill(`From tab one ${stamp}`);
  await tab2.composer.fill(`From tab two ${stamp}`);
  await Promise.all([tab1.composer.press('Enter'), tab2.composer.press('Enter')]);

  // The server's copy (the highest revision) is what every screen ends with.
  let final = '';
  await expect.poll(async () => {
    const entries = await entriesAfter(server.url, 0);
    const message = entries.find((e) => e.kind === 'message' && e.clientMessageId && e.body.includes(String(stamp)) && e.editedAt !== null);
    final = message?.kind === 'message' ? message.body : '';
    return entries.filter((e) => e.kind === 'edit').length >= 2 ? final : '';
  }, { timeout: 30_000 }).not.toBe('');
  for (const chat of [tab1, tab2, bob.chat]) {
    await expect(chat.message(final)).toHaveCount(1);
    await expect(chat.messageLog.getByText(new RegExp(`From tab (one|two) ${stamp}`))).toHaveText(final);
  }
});

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlaywrightWorkerArgs, TestInfo } from '@playwright/test';
import { expect, test, USERS } from './fixtures';
import { ChatPage } from './pages/chat-page';
import { LoginPage } from './pages/login-page';
import { CrashableBrowser, withFreshContext } from './support/browser-contexts';
import { ConversationReader, seqsAreContiguous } from './support/conversation-reader';
import { RestartableServer } from './support/restartable-server';

/** The demo direct conversation of alice and bob (server/mock/demo-data.ts). */
const ALICE_BOB = 'c_alice_bob';

test('offline: the banner says so, a message waits as pending, and goes out once when back online', async ({ signIn }) => {
  const alice = await signIn('alice');
  const bob = await signIn('bob');
  await alice.chat.open(/bob/i);
  await bob.chat.open(/alice/i);
  const bobPresence = alice.chat.page.locator('.conversation-subtitle');
  await expect(bobPresence).toHaveText('online');

  // The network goes away in the browser only, as when a cable is pulled: Chromium keeps the
  // open WebSocket open and lets nothing through it (new sockets fail). The server knows nothing,
  // so only the client's own check of the socket can tell; the heartbeat alone takes about a minute.
  await alice.context.setOffline(true);
  await expect(alice.chat.connectionBanner).toBeVisible();
  await expect(alice.chat.connectionBanner).toContainText('Messages will be sent when you are back online.');
  await expect(bobPresence).not.toHaveText('online');

  const text = `Written offline ${Date.now()}`;
  await alice.chat.send(text);
  await expect(alice.chat.statusOf(text)).toHaveAccessibleName('Pending');

  await alice.context.setOffline(false);
  await expect(bob.chat.message(text)).toHaveCount(1, { timeout: 20_000 });
  await expect(alice.chat.statusOf(text)).toHaveAccessibleName(/Delivered|Read/);
  await expect(alice.chat.connectionBanner).toBeHidden();
  await expect(alice.chat.message(text)).toHaveCount(1);
});

/**
 * What works offline, against a server that is really stopped: its
 * own process and a file database (e2e/support/restartable-server.ts).
 */
test.describe('offline with the server stopped', () => {
  test.describe.configure({ timeout: 120_000 });

  test('a cold start shows the cached chat; messages written offline survive a reload and arrive once each, in order', async ({ browser }) => {
    const server = await RestartableServer.start();
    try {
      await withFreshContext(browser, server.url, { user: 'alice' }, async (tab) => {
        let { page, chat } = tab;
        const { context } = tab;
        await chat.open(/bob/i);
        await expect(chat.messageNodes().first()).toBeVisible();
        const lastSeen = (await chat.messageNodes().last().innerText()).split('\n')[0]!.trim();
        // The app shell is cached and this page is under the worker's control.
        await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 15_000 });
        await page.waitForTimeout(500); // the store's batched write reaches IndexedDB

        await server.stop();
        await page.close();
        page = await context.newPage();
        chat = new ChatPage(page);
        await page.goto('/');
        await chat.expectShown();
        await expect(chat.connectionBanner).toBeVisible();
        await expect(chat.conversation(/bob/i)).toBeVisible();
        await expect(chat.conversation(/Weekend plans/i)).toBeVisible();
        await chat.open(/bob/i);
        await expect(chat.message(lastSeen).first()).toBeVisible();
        await chat.contactsTab.click();
        await expect(page.getByRole('button', { name: /Message (Bob|Carol)/ }).first()).toBeVisible();
        await chat.chatsTab.click();
        await chat.open(/bob/i);

        const stamp = Date.now();
        const texts = [1, 2, 3].map((n) => `Cold start ${n} ${stamp}`);
        for (const text of texts) await chat.send(text);
        for (const text of texts) await expect(chat.statusOf(text)).toHaveAccessibleName('Pending');

        await page.reload();
        await chat.expectShown();
        await chat.open(/bob/i);
        for (const text of texts) {
          await expect(chat.message(text)).toHaveCount(1);
          await expect(chat.statusOf(text)).toHaveAccessibleName('Pending');
        }

        await server.restart();
        for (const text of texts) await expect(chat.statusOf(text)).toHaveAccessibleName(/Sent|Delivered|Read/, { timeout: 30_000 });
        const bob = await ConversationReader.open(server.wsUrl, USERS.bob.username, USERS.bob.password);
        try {
          const history = await bob.messagesAfter(ALICE_BOB);
          const mine = history.filter((m) => m.body.includes(String(stamp)));
          expect(mine.map((m) => m.body)).toEqual(texts);
          expect(seqsAreContiguous(history)).toBe(true);
        } finally {
          bob.close();
        }
        await expect(chat.connectionBanner).toBeHidden();
        for (const text of texts) await expect(chat.message(text)).toHaveCount(1);
      });
    } finally {
      await server.dispose();
    }
  });
});

test('a connection cut in the middle of flushing 200 offline messages: all 200 arrive, none twice, none missing, in order', async ({ signIn, server }) => {
  // Typing 200 messages through the page took ~2.3 min before the merge of version 2 and accounts and over 4 min after it on a loaded machine (a slowdown to find).
  test.setTimeout(600_000);
  const alice = await signIn('alice');
  await alice.chat.open(/bob/i);
  const reader = await ConversationReader.open(server.url.replace(/^http/, 'ws') + '/ws', USERS.bob.username, USERS.bob.password);
  try {
    const startSeq = await reader.latestSeq(ALICE_BOB);
    await alice.context.setOffline(true);
    await expect(alice.chat.connectionBanner).toBeVisible();

    const stamp = Date.now();
    const texts = Array.from({ length: 200 }, (_, i) => `Flush ${String(i + 1).padStart(3, '0')} ${stamp}`);
    for (const text of texts) {
      await alice.chat.composer.fill(text);
      await alice.chat.composer.press('Enter');
    }
    await expect(alice.chat.statusOf(texts[199]!)).toHaveAccessibleName('Pending');

    await alice.context.setOffline(false);
    // Cut every socket once part of the outbox is stored, before all of it is
    // (the outbox sends at most 40 a second, so 200 take five seconds).
    let beforeCut = 0;
    await expect
      .poll(async () => (beforeCut = (await reader.messagesAfter(ALICE_BOB, startSeq)).length), { timeout: 30_000, intervals: [50] })
      .toBeGreaterThanOrEqual(10);
    await server.control('drop');
    expect(beforeCut, 'the cut came in the middle of the flush').toBeLessThan(150);

    await expect.poll(async () => (await reader.messagesAfter(ALICE_BOB, startSeq)).length, { timeout: 90_000 }).toBe(200);
    await expect(alice.chat.statusOf(texts[199]!)).toHaveAccessibleName(/Sent|Delivered|Read/, { timeout: 30_000 });
    await alice.chat.page.waitForTimeout(1000); // nothing more trickles in
    const arrived = await reader.messagesAfter(ALICE_BOB, startSeq);
    expect(arrived.map((m) => m.body)).toEqual(texts);
    expect(arrived[0]!.seq).toBe(startSeq + 1);
    expect(seqsAreContiguous(arrived)).toBe(true);
  } finally {
    reader.close();
  }
});

test('a new version of the app is offered with a Reload prompt and replaces the cached shell', async ({ browser }) => {
  test.setTimeout(90_000);
  // A private copy of the build: "deploying" edits the copy, never dist/.
  const distDir = mkdtempSync(join(tmpdir(), 'tidings-dist-'));
  cpSync('dist', distDir, { recursive: true });
  const server = await RestartableServer.start({ distDir });
  try {
    await withFreshContext(browser, server.url, {}, async ({ page, login }) => {
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 15_000 });

      // The next version: different HTML (so the precache revision changes) and so a different worker script.
      const indexPath = join(distDir, 'index.html');
      writeFileSync(indexPath, readFileSync(indexPath, 'utf8').replace('<title>Tidings</title>', '<title>Tidings</title><meta name="tidings-build" content="v2" />'));
      const swPath = join(distDir, 'sw.js');
      const sw = readFileSync(swPath, 'utf8');
      const revision = /url:"index\.html",revision:"([0-9a-f]+)"/.exec(sw);
      expect(revision, 'the worker precaches index.html with a revision').not.toBeNull();
      writeFileSync(swPath, sw.replace(revision![0], `url:"index.html",revision:"${revision![1]}-v2"`));

      // The app checks for updates hourly and when the tab shows again; ask now.
      await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
      const prompt = page.getByRole('status').filter({ hasText: 'A new version of Tidings is ready.' });
      await expect(prompt).toBeVisible({ timeout: 20_000 });
      await Promise.all([page.waitForEvent('load'), prompt.getByRole('button', { name: 'Reload' }).click()]);
      await expect(page.locator('meta[name="tidings-build"]')).toHaveCount(1);

      // With the server gone, the cached shell is the new one, not a stale one.
      await server.stop();
      await page.reload();
      await expect(page.locator('meta[name="tidings-build"]')).toHaveCount(1);
      await login.expectShown();
    });
  } finally {
    await server.dispose();
    rmSync(distDir, { recursive: true, force: true });
  }
});

test('history missed during a long absence is fetched after reconnect, in order, without gaps or duplicates', async ({ signIn, server }) => {
  test.setTimeout(120_000);
  const alice = await signIn('alice');
  await alice.chat.open(/bob/i);
  const bob = await ConversationReader.open(server.url.replace(/^http/, 'ws') + '/ws', USERS.bob.username, USERS.bob.password);
  try {
    await alice.context.setOffline(true);
    await expect(alice.chat.connectionBanner).toBeVisible();
    // More than a page (100) and more than a storage chunk (256) while Alice is away.
    const stamp = Date.now();
    const bodies = Array.from({ length: 300 }, (_, i) => `Missed ${i + 1} ${stamp}`);
    await bob.write(ALICE_BOB, bodies);
    const latest = await bob.latestSeq(ALICE_BOB);

    await alice.context.setOffline(false);
    await expect(alice.chat.message(bodies[299]!)).toHaveCount(1, { timeout: 30_000 });
    // What Alice's device now holds of the conversation (the store's IndexedDB chunks).
    const stored = async () =>
      alice.chat.page.evaluate(async (conversationId) => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const request = indexedDB.open('tidings');
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        // History chunks only: other values (the heads record) hold messages too.
        const values = await new Promise<unknown[]>((resolve, reject) => {
          const prefix = 'tidings:u_alice:messages:';
          const request = db.transaction('kv').objectStore('kv').getAll(IDBKeyRange.bound(prefix, prefix + '\uffff'));
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        db.close();
        const seqs: number[] = [];
        for (const value of values) {
          if (!value || typeof value !== 'object') continue;
          for (const item of Object.values(value as Record<string, { conversationId?: string; seq?: number }>)) {
            if (item && typeof item === 'object' && item.conversationId === conversationId && typeof item.seq === 'number') seqs.push(item.seq);
          }
        }
        return seqs.sort((a, b) => a - b);
      }, ALICE_BOB);
    await expect.poll(async () => (await stored()).length, { timeout: 15_000 }).toBe(latest);
    const seqs = await stored();
    expect(seqs).toEqual(Array.from({ length: latest }, (_, i) => i + 1));
    await expect(alice.chat.message(bodies[299]!)).toHaveCount(1);
  } finally {
    bob.close();
  }
});

/** A server that can be stopped and restarted and a browser that can be killed, both disposed after `run`. */
async function withCrashableBrowser(
  playwright: PlaywrightWorkerArgs['playwright'],
  testInfo: TestInfo,
  run: (server: RestartableServer, browser: CrashableBrowser) => Promise<void>,
): Promise<void> {
  const server = await RestartableServer.start();
  const browser = await CrashableBrowser.launch(playwright.chromium, testInfo.project.use.launchOptions, server.url);
  try {
    await run(server, browser);
  } finally {
    await browser.dispose();
    await server.dispose();
  }
}

test('the outbox survives a browser crash: messages written offline go out once each after a restart', async ({ playwright }, testInfo) => {
  test.setTimeout(180_000);
  await withCrashableBrowser(playwright, testInfo, async (server, browser) => {
    let { page, chat } = await browser.logIn('alice');
    await chat.open(/bob/i);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 15_000 });
    // The session lives in the HttpOnly cookie, which Chromium writes to its
    // profile up to 30 s after it was set; past that a crash keeps it (the
    // next test crashes sooner).
    await page.waitForTimeout(31_000);
    // No wait for localStorage's late commit: the session record is also in
    // IndexedDB (the next test crashes right after login).

    await server.stop();
    await expect(chat.connectionBanner).toBeVisible();
    const stamp = Date.now();
    const texts = [1, 2, 3].map((n) => `Before the crash ${n} ${stamp}`);
    for (const text of texts) await chat.send(text);
    for (const text of texts) await expect(chat.statusOf(text)).toHaveAccessibleName('Pending');
    await page.waitForTimeout(300); // the store's batch (30 ms) is on disk

    // A crash: the browser process is killed, no unload, no goodbye.
    expect(await browser.kill(), 'the browser process was found and killed').toBe(1);
    ({ page, chat } = await browser.relaunch());
    await page.goto('/');
    await chat.expectShown();
    await chat.open(/bob/i);
    for (const text of texts) await expect(chat.statusOf(text)).toHaveAccessibleName('Pending');

    await server.restart();
    for (const text of texts) await expect(chat.statusOf(text)).toHaveAccessibleName(/Sent|Delivered|Read/, { timeout: 30_000 });
    const bob = await ConversationReader.open(server.wsUrl, USERS.bob.username, USERS.bob.password);
    try {
      const mine = (await bob.messagesAfter(ALICE_BOB)).filter((m) => m.body.includes(String(stamp)));
      expect(mine.map((m) => m.body)).toEqual(texts);
    } finally {
      bob.close();
    }
  });
});

test('a browser killed right after login comes back with its chat and history readable, with no answer from the server', async ({ playwright }, testInfo) => {
  test.setTimeout(120_000);
  await withCrashableBrowser(playwright, testInfo, async (server, browser) => {
    let { page, chat } = await browser.logIn('alice');
    await chat.open(/bob/i);
    await expect(chat.messageNodes().first()).toBeVisible();
    const lastSeen = (await chat.messageNodes().last().innerText()).split('\n')[0]!.trim();
    await page.waitForTimeout(200); // the store's batch (30 ms) is committed; localStorage's own commit is seconds away

    expect(await browser.kill(), 'the browser process was found and killed').toBe(1);
    ({ page, chat } = await browser.relaunch());
    // Sockets that open and never hear back: everything shown comes from the device.
    await browser.context.routeWebSocket('**/ws', () => undefined);
    await page.goto('/');
    await chat.expectShown();
    await chat.open(/bob/i);
    await expect(chat.message(lastSeen).first()).toBeVisible();

    // Once the server answers: the session cookie, which Chromium writes to
    // the profile up to 30 s after it was set, was most likely lost with the
    // crash, and then the password is asked once; what the device holds stays.
    await browser.context.unrouteAll();
    await page.reload();
    const login = new LoginPage(page);
    await expect(chat.conversationList.or(login.username)).toBeVisible();
    if (await login.username.isVisible()) {
      await expect(login.alert).toHaveText('Your session has expired. Please log in again.');
      await login.logIn(USERS.alice.username, USERS.alice.password);
    }
    await chat.expectShown();
    await expect(chat.connectionBanner).toBeHidden({ timeout: 20_000 });
    await chat.open(/bob/i);
    await expect(chat.message(lastSeen).first()).toBeVisible();
  });
});

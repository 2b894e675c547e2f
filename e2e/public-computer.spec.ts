import type { BrowserContext, Page } from '@playwright/test';
import { expect, test, USERS } from './fixtures';
import type { ChatPage } from './pages/chat-page';
import { withFreshContext } from './support/browser-contexts';

/** What this origin keeps on the device, as the page and the context see it. */
interface Audit {
  localStorage: string[];
  sessionStorage: string[];
  databases: string[];
  caches: string[];
  registrations: number;
  cookies: string[];
}

async function audit(page: Page, context: BrowserContext): Promise<Audit> {
  const inPage = await page.evaluate(async () => ({
    localStorage: Object.keys(localStorage),
    sessionStorage: Object.keys(sessionStorage),
    databases: (await indexedDB.databases()).map((d) => d.name ?? ''),
    caches: await caches.keys(),
    registrations: (await navigator.serviceWorker.getRegistrations()).length,
  }));
  return { ...inPage, cookies: (await context.cookies()).map((c) => c.name) };
}

const NOTHING: Audit = { localStorage: [], sessionStorage: [], databases: [], caches: [], registrations: 0, cookies: [] };

/** Workbox's precache holds the app shell only (no personal data): the one thing a public session may leave until logout. */
const isShellCache = (name: string): boolean => /^workbox-precache/.test(name);

async function converse(chat: ChatPage, bob: ChatPage, stamp: number): Promise<string[]> {
  await chat.open('Bob');
  await bob.open('Alice');
  const mine = `A secret from the library ${stamp}`;
  const theirs = `Bob answers the library ${stamp}`;
  await chat.send(mine);
  await bob.send(theirs);
  await expect(chat.message(theirs)).toHaveCount(1);
  await expect(chat.statusOf(mine)).toHaveAccessibleName(/Sent|Delivered|Read/);
  return [mine, theirs];
}

test('on a public computer nothing of the person is stored, and a reload asks for the password', async ({ browser, server, signIn }) => {
  const bob = await signIn('bob');
  await withFreshContext(browser, server.url, { user: 'alice', publicComputer: true }, async ({ context, page, login, chat }) => {
    await converse(chat, bob.chat, Date.now());
    await page.waitForTimeout(500); // any batched write would have happened by now

    const found = await audit(page, context);
    expect({ ...found, caches: found.caches.filter((name) => !isShellCache(name)), registrations: 0 }).toEqual(NOTHING);

    await page.reload();
    await login.expectShown();
    await expect(chat.conversationList).toHaveCount(0);
  });
});

test('a public session ends itself after 30 minutes idle and forgets everything', async ({ browser, server }) => {
  test.setTimeout(90_000);
  const options = { user: 'alice', publicComputer: true, beforeLoad: (page: Page) => page.clock.install() } as const;
  await withFreshContext(browser, server.url, options, async ({ context, page, login, chat }) => {
    await chat.open('Bob');
    await expect(chat.messageNodes().first()).toBeVisible();

    await page.clock.fastForward('29:00');
    await expect(chat.conversationList).toBeVisible();
    await page.clock.fastForward('02:00');
    await login.expectShown();
    await expect(login.alert).toContainText('inactivity');
    await expect(chat.messageLog).toHaveCount(0);
    await expect(page.getByText('Bob', { exact: false })).toHaveCount(0);
    await expect.poll(async () => (await audit(page, context)).caches, { timeout: 30_000 }).toEqual([]);
  });
});

test('logout on a trusted device leaves nothing at all, and the back button brings nothing back', async ({ browser, server, signIn }) => {
  test.setTimeout(90_000);
  const bob = await signIn('bob');
  await withFreshContext(browser, server.url, {}, async ({ context, page, login, chat }) => {
    const entriesAtStart = await page.evaluate(() => history.length);
    await login.logIn(USERS.alice.username, USERS.alice.password);
    await chat.expectShown();
    const [mine] = await converse(chat, bob.chat, Date.now());
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 15_000 });
    // Trusted mode does store: the audit below proves logout removes it.
    await expect.poll(async () => (await audit(page, context)).databases.length, { timeout: 10_000 }).toBeGreaterThan(0);

    // The wipe ends with the app's own POST to /clear-site-data (the server refuses any other).
    const cleared = page.waitForResponse((r) => new URL(r.url()).pathname === '/clear-site-data');
    await chat.logOut();
    await login.expectShown();
    const answer = await cleared;
    expect({ method: answer.request().method(), status: answer.status() }).toEqual({ method: 'POST', status: 204 });
    // Chromium may hold storage calls while it applies Clear-Site-Data, so one audit can take seconds.
    await expect.poll(() => audit(page, context), { timeout: 40_000 }).toEqual(NOTHING).catch(async (error: Error) => {
      throw new Error(`${error.message}\nstill stored: ${JSON.stringify(await audit(page, context))}`);
    });

    // The app adds no history entries, so there is no in-app page to go back to.
    expect(await page.evaluate(() => history.length)).toBe(entriesAtStart);
    await page.goto('about:blank');
    await page.goBack();
    await login.expectShown();
    await expect(page.getByText(mine!)).toHaveCount(0);
    await expect(chat.conversationList).toHaveCount(0);
  });
});

test('on a public computer, closing the tab with unsent messages warns first', async ({ browser, server }) => {
  await withFreshContext(browser, server.url, { user: 'alice', publicComputer: true }, async ({ context, page, chat }) => {
    await chat.open(/bob/i);
    await context.setOffline(true);
    await server.control('drop');
    await expect(chat.connectionBanner).toBeVisible();
    const text = `Not sent yet ${Date.now()}`;
    await chat.send(text);
    await expect(chat.statusOf(text)).toHaveAccessibleName('Pending');

    const dialog = page.waitForEvent('dialog');
    await page.close({ runBeforeUnload: true });
    const shown = await dialog;
    expect(shown.type()).toBe('beforeunload');
    await shown.dismiss();
    expect(page.isClosed()).toBe(false);
  });
});

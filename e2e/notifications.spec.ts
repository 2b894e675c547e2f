import type { BrowserContext, Page } from '@playwright/test';
import { expect, test, USERS, type Person } from './fixtures';
import { ChatPage } from './pages/chat-page';
import { LoginPage } from './pages/login-page';

/**
 * System notifications, the title's count and mutes, in Chromium. The
 * browser's permission is granted to the context (`grantPermissions`), and
 * each page's `window.Notification` is replaced before the app loads by a
 * recorder that keeps what the app raised: headless Chromium grants the
 * permission but shows nothing anyone could read back, and the recorder
 * passes the real permission through. A hidden tab is emulated per page
 * (visibilityState and hasFocus answer from a flag, with the events a real
 * switch fires), since every headless page counts as visible and focused.
 */
interface Recorded {
  title: string;
  body: string;
  tag: string;
  closed: boolean;
}

declare global {
  interface Window {
    __notifications: (Recorded & { onclick: ((event: Event) => void) | null })[];
    __hidden: boolean;
  }
}

function recordNotifications(): void {
  const Real = window.Notification;
  const raised: Window['__notifications'] = [];
  class Recorder {
    static get permission(): NotificationPermission {
      return Real.permission;
    }
    static requestPermission(): Promise<NotificationPermission> {
      return Real.requestPermission();
    }
    title: string;
    body: string;
    tag: string;
    closed = false;
    onclick: ((event: Event) => void) | null = null;
    constructor(title: string, options: NotificationOptions = {}) {
      this.title = title;
      this.body = options.body ?? '';
      this.tag = options.tag ?? '';
      raised.push(this);
    }
    close(): void {
      this.closed = true;
    }
  }
  Object.defineProperty(window, 'Notification', { value: Recorder, configurable: true, writable: true });
  window.__notifications = raised;
  window.__hidden = false;
  Object.defineProperty(Document.prototype, 'visibilityState', { get: () => (window.__hidden ? 'hidden' : 'visible'), configurable: true });
  Object.defineProperty(Document.prototype, 'hidden', { get: () => window.__hidden, configurable: true });
  Document.prototype.hasFocus = () => !window.__hidden;
}

/** Switches a page to the background (another tab or app in front) or back, with the events the browser fires. */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((value) => {
    window.__hidden = value;
    document.dispatchEvent(new Event('visibilitychange'));
    window.dispatchEvent(new Event(value ? 'blur' : 'focus'));
  }, hidden);
}

async function raisedIn(page: Page): Promise<Recorded[]> {
  return page.evaluate(() => window.__notifications.map(({ title, body, tag, closed }) => ({ title, body, tag, closed })));
}

/** Alice in a context that allows notifications and records them, signed in, notifications turned on from the prompt bar. */
async function aliceWithNotifications(browser: import('@playwright/test').Browser, baseURL: string, contexts: BrowserContext[]): Promise<Person> {
  const person = await signInRecorded(browser, baseURL, 'alice', contexts);
  const page = person.chat.page;
  await page.getByRole('button', { name: 'Turn on notifications' }).click();
  await expect(page.getByRole('button', { name: 'Turn on notifications' })).toBeHidden();
  return person;
}

async function signInRecorded(browser: import('@playwright/test').Browser, baseURL: string, user: 'alice' | 'bob', contexts: BrowserContext[]): Promise<Person> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  contexts.push(context);
  // The badged icon is a data: URL: the page's CSP must let it through.
  context.on('page', (page) => page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  }));
  await context.grantPermissions(['notifications']);
  await context.addInitScript(recordNotifications);
  const page = await context.newPage();
  const login = new LoginPage(page);
  const chat = new ChatPage(page);
  await login.goto();
  await login.logIn(USERS[user].username, USERS[user].password);
  await chat.expectShown();
  return { context, login, chat };
}

async function openSecondTab(context: BrowserContext): Promise<ChatPage> {
  const page = await context.newPage();
  await page.goto('/');
  const chat = new ChatPage(page);
  await chat.expectShown();
  return chat;
}

/** The count in a page's title, 0 for plain "Tidings". */
async function titleCount(page: Page): Promise<number> {
  const match = /^\((\d+)\) Tidings$/.exec(await page.title());
  return match ? Number(match[1]) : 0;
}

// Four pages and two people per test, on a machine that may be busy.
test.describe.configure({ timeout: 120_000 });

let contexts: BrowserContext[] = [];
let cspViolations: string[] = [];
test.afterEach(async () => {
  await Promise.all(contexts.map((c) => c.close()));
  contexts = [];
  expect(cspViolations, 'the app broke its Content-Security-Policy').toEqual([]);
  cspViolations = [];
});

test('a message while the tab is hidden raises one notification; clicking it opens the conversation and the title count drops', async ({ browser, server, signIn }) => {
  const alice = await aliceWithNotifications(browser, server.url, contexts);
  const bob = await signInRecorded(browser, server.url, 'bob', contexts);
  await bob.chat.open(/alice/i);
  const before = await titleCount(alice.chat.page);
  await setHidden(alice.chat.page, true);

  const text = `Lunch at noon? ${Date.now()}`;
  await bob.chat.send(text);
  await expect.poll(() => raisedIn(alice.chat.page)).toEqual([{ title: 'Bob', body: text, tag: 'tidings:c_alice_bob', closed: false }]);
  await expect.poll(() => titleCount(alice.chat.page)).toBe(before + 1);

  // The click: the notification brings the tab forward and opens its conversation, which reads it.
  await setHidden(alice.chat.page, false);
  await alice.chat.page.evaluate(() => window.__notifications[0]!.onclick?.(new Event('click')));
  await expect(alice.chat.conversationTitle).toHaveText('Bob @bob');
  await expect(alice.chat.message(text)).toHaveCount(1);
  await expect.poll(() => titleCount(alice.chat.page)).toBe(before);
  expect((await raisedIn(alice.chat.page))[0]!.closed).toBe(true);
});

test('two tabs in the background: exactly one notification; a tab in front on that conversation: none', async ({ browser, server, signIn }) => {
  const alice = await aliceWithNotifications(browser, server.url, contexts);
  const second = await openSecondTab(alice.context);
  const bob = await signIn('bob');
  await bob.chat.open(/alice/i);
  await setHidden(alice.chat.page, true);
  await setHidden(second.page, true);

  const first = `Are you there? ${Date.now()}`;
  await bob.chat.send(first);
  await expect.poll(async () => (await raisedIn(alice.chat.page)).length + (await raisedIn(second.page)).length).toBe(1);
  // Long enough for a second tab's notification to have come.
  await alice.chat.page.waitForTimeout(1500);
  const all = [...(await raisedIn(alice.chat.page)), ...(await raisedIn(second.page))];
  expect(all.map((n) => n.body)).toEqual([first]);

  // The second tab comes to the front with the conversation open: nobody notifies of what it shows.
  await setHidden(second.page, false);
  await second.open(/bob/i);
  const seen = `You are reading this ${Date.now()}`;
  await bob.chat.send(seen);
  await expect(second.message(seen)).toHaveCount(1);
  await alice.chat.page.waitForTimeout(1500);
  const after = [...(await raisedIn(alice.chat.page)), ...(await raisedIn(second.page))];
  expect(after.map((n) => n.body)).toEqual([first]);
});

test('the title counts unread messages as they arrive, drops when they are read, and a muted conversation is left out', async ({ browser, server, signIn }) => {
  const alice = await aliceWithNotifications(browser, server.url, contexts);
  const page = alice.chat.page;
  const bob = await signIn('bob');
  await bob.chat.open(/alice/i);
  const before = await titleCount(page);

  const stamp = Date.now();
  await bob.chat.send(`one ${stamp}`);
  await expect.poll(() => titleCount(page)).toBe(before + 1);
  await bob.chat.send(`two ${stamp}`);
  await expect.poll(() => titleCount(page)).toBe(before + 2);
  await expect(page).toHaveTitle(`(${before + 2}) Tidings`);
  const icon = page.locator('link[rel~="icon"]');
  await expect(icon).toHaveAttribute('href', /^data:image\/png;base64,/);

  await alice.chat.open(/bob/i);
  await expect.poll(() => titleCount(page)).toBe(before);
  if (before === 0) await expect(icon).toHaveAttribute('href', '/icon.svg');

  // Muted from the header: Bob's next messages show in the list, dimmed, and stay out of the title.
  await page.getByRole('button', { name: 'Mute', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Muted', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await alice.chat.open(/weekend/i);
  await bob.chat.send(`three ${stamp}`);
  await bob.chat.send(`four ${stamp}`);
  const bobItem = alice.chat.conversation(/bob/i);
  await expect(bobItem).toContainText('2 unread');
  await expect(bobItem).toContainText('muted');
  await page.waitForTimeout(500);
  expect(await titleCount(page)).toBe(before);
});

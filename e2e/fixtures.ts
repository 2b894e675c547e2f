import { test as base, expect, type Browser, type BrowserContext } from '@playwright/test';
import { MockServer } from './mock-server';
import { ChatPage } from './pages/chat-page';
import { LoginPage } from './pages/login-page';

/** The demo users of the server's mock mode. */
export const USERS = {
  alice: { username: 'alice', password: 'tidings-alice' },
  bob: { username: 'bob', password: 'tidings-bob' },
  carol: { username: 'carol', password: 'tidings-carol' },
} as const;
export type DemoUser = keyof typeof USERS;

/** A signed-in person in their own browser context (own storage, own socket). */
export interface Person {
  context: BrowserContext;
  login: LoginPage;
  chat: ChatPage;
}

type WorkerFixtures = { server: MockServer };
type TestFixtures = {
  resetServer: void;
  /** Console reports of Content-Security-Policy violations from every page of the test; must stay empty. */
  cspViolations: string[];
  loginPage: LoginPage;
  chatPage: ChatPage;
  /** Opens a fresh context and logs the user in; contexts close after the test. */
  signIn: (user: DemoUser, options?: { viewport?: { width: number; height: number } }) => Promise<Person>;
};

export const test = base.extend<TestFixtures, WorkerFixtures>({
  server: [
    async ({}, use) => {
      const server = await MockServer.start();
      await use(server);
      await server.stop();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  baseURL: async ({ server }, use) => {
    await use(server.url);
  },
  // Every test starts from the seed data, whatever ran before it.
  resetServer: [
    async ({ server }, use) => {
      await server.control('reset');
      await use();
    },
    { auto: true },
  ],
  cspViolations: [
    async ({ context }, use) => {
      const violations: string[] = [];
      watchCsp(context, violations);
      await use(violations);
      expect(violations, 'the app broke its Content-Security-Policy').toEqual([]);
    },
    { auto: true },
  ],
  loginPage: async ({ page }, use) => {
    await use(new LoginPage(page));
  },
  chatPage: async ({ page }, use) => {
    await use(new ChatPage(page));
  },
  signIn: async ({ browser, server, cspViolations }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (user, options = {}) => {
      const person = await signInWith(browser, server.url, user, options.viewport, cspViolations);
      contexts.push(person.context);
      return person;
    });
    await Promise.all(contexts.map((c) => c.close()));
  },
});

async function signInWith(
  browser: Browser,
  baseURL: string,
  user: DemoUser,
  viewport: { width: number; height: number } | undefined,
  violations: string[],
): Promise<Person> {
  const context = await browser.newContext({ baseURL, viewport: viewport ?? { width: 1280, height: 800 } });
  watchCsp(context, violations);
  const page = await context.newPage();
  const login = new LoginPage(page);
  const chat = new ChatPage(page);
  await login.goto();
  await login.logIn(USERS[user].username, USERS[user].password);
  await chat.expectShown();
  return { context, login, chat };
}

/** Records the console errors Chromium prints when the page's CSP blocks something. */
function watchCsp(context: BrowserContext, violations: string[]): void {
  const watch = (page: import('@playwright/test').Page) =>
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
  context.pages().forEach(watch);
  context.on('page', watch);
}

export { expect };

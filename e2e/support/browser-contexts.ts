import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, BrowserType, LaunchOptions, Page } from '@playwright/test';
import { USERS, type DemoUser } from '../fixtures';
import { ChatPage } from '../pages/chat-page';
import { LoginPage } from '../pages/login-page';

/** One tab of a browser context with its page objects. */
export interface Tab {
  context: BrowserContext;
  page: Page;
  login: LoginPage;
  chat: ChatPage;
}

export interface FreshContextOptions {
  /** Runs on the page before it loads the app (a fake clock, a WebSocket route). */
  beforeLoad?: (page: Page) => Promise<void>;
  /** Logs this demo user in and waits for the chat; without it the tab stays at the login form. */
  user?: DemoUser;
  publicComputer?: boolean;
}

function tabOf(context: BrowserContext, page: Page): Tab {
  return { context, page, login: new LoginPage(page), chat: new ChatPage(page) };
}

async function logIn(tab: Tab, user: DemoUser, publicComputer: boolean): Promise<void> {
  await tab.login.logIn(USERS[user].username, USERS[user].password, { publicComputer });
  await tab.chat.expectShown();
}

/**
 * Runs `body` with a tab of a new browser context (its own storage, so its
 * own device) at the app on `baseURL`, logged in when `user` is given, and
 * closes the context afterwards whatever happens.
 */
export async function withFreshContext<T>(browser: Browser, baseURL: string, options: FreshContextOptions, body: (tab: Tab) => Promise<T>): Promise<T> {
  const context = await browser.newContext({ baseURL });
  try {
    const tab = tabOf(context, await context.newPage());
    await options.beforeLoad?.(tab.page);
    await tab.login.goto();
    if (options.user) await logIn(tab, options.user, options.publicComputer ?? false);
    return await body(tab);
  } finally {
    await context.close();
  }
}

/**
 * A browser on a profile directory of its own that can crash: `kill()`
 * SIGKILLs its main process (no unload, no goodbye, whatever the browser
 * still held in memory is lost) and `relaunch()` starts it again on the same
 * profile, as a person reopening the browser would.
 */
export class CrashableBrowser {
  private constructor(
    private readonly chromium: BrowserType,
    private readonly launchOptions: LaunchOptions,
    private readonly baseURL: string,
    private readonly profile: string,
    private current: BrowserContext,
  ) {}

  static async launch(chromium: BrowserType, launchOptions: LaunchOptions | undefined, baseURL: string): Promise<CrashableBrowser> {
    const profile = mkdtempSync(join(tmpdir(), 'tidings-profile-'));
    const options = { ...launchOptions, headless: true };
    const context = await chromium.launchPersistentContext(profile, { ...options, baseURL });
    return new CrashableBrowser(chromium, options, baseURL, profile, context);
  }

  get context(): BrowserContext {
    return this.current;
  }

  /** The browser's first tab. */
  async tab(): Promise<Tab> {
    return tabOf(this.current, this.current.pages()[0] ?? (await this.current.newPage()));
  }

  /** The first tab at the login form, logged in as `user`, chat shown. */
  async logIn(user: DemoUser): Promise<Tab> {
    const tab = await this.tab();
    await tab.login.goto();
    await logIn(tab, user, false);
    return tab;
  }

  /** SIGKILLs the browser; returns how many main processes were killed (1 when it was found). */
  async kill(): Promise<number> {
    const killed = killBrowserUsing(this.profile);
    await this.current.close().catch(() => undefined);
    return killed;
  }

  async relaunch(): Promise<Tab> {
    this.current = await this.chromium.launchPersistentContext(this.profile, { ...this.launchOptions, baseURL: this.baseURL });
    return this.tab();
  }

  async dispose(): Promise<void> {
    await this.current.close().catch(() => undefined);
    rmSync(this.profile, { recursive: true, force: true });
  }
}

/** SIGKILLs the Chromium main process started on this profile (found by its --user-data-dir). */
function killBrowserUsing(profile: string): number {
  let killed = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // exited meanwhile
    }
    if (args.includes(`--user-data-dir=${profile}`) && !args.some((a) => a.startsWith('--type='))) {
      process.kill(Number(pid), 'SIGKILL');
      killed++;
    }
  }
  return killed;
}

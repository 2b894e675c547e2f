import type { Page } from '@playwright/test';
import { expect, test, USERS } from './fixtures';
import { SettingsPage } from './pages/settings-page';

// Two browsers each in most tests, on a machine that may be busy.
test.describe.configure({ timeout: 240_000 });

/** Everything script can read of the page's storage: localStorage, sessionStorage, every IndexedDB database and store, document.cookie. */
async function readableStorage(page: Page): Promise<{ local: string; session: string; indexedDB: string; databases: string[]; cookie: string }> {
  return page.evaluate(async () => {
    const dumpStorage = (storage: Storage) => JSON.stringify(Object.fromEntries(Array.from({ length: storage.length }, (_, i) => [storage.key(i), storage.getItem(storage.key(i)!)])));
    const request = <T>(r: IDBRequest<T>) => new Promise<T>((resolve, reject) => {
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const names = (await indexedDB.databases()).map((d) => d.name!).filter(Boolean);
    const contents: Record<string, unknown> = {};
    for (const name of names) {
      const db = await request(indexedDB.open(name));
      for (const store of Array.from(db.objectStoreNames)) {
        const tx = db.transaction(store, 'readonly').objectStore(store);
        contents[`${name}/${store}`] = { keys: await request(tx.getAllKeys()), values: await request(tx.getAll()) };
      }
      db.close();
    }
    return { local: dumpStorage(localStorage), session: dumpStorage(sessionStorage), indexedDB: JSON.stringify(contents), databases: names, cookie: document.cookie };
  });
}

test('after a trusted login no script-readable storage holds the session token; a reload and an offline cold start still work', async ({ signIn }) => {
  const alice = await signIn('alice');
  const page = alice.chat.page;
  const cookie = (await alice.context.cookies()).find((c) => c.name === 'tidings_session');
  expect(cookie, 'the session cookie was set').toBeDefined();
  expect(cookie!.httpOnly).toBe(true);
  expect(cookie!.sameSite).toBe('Strict');
  const token = cookie!.value;
  expect(token.length).toBeGreaterThan(20);

  // The store has written the session record, contacts and history by now.
  await expect.poll(async () => (await readableStorage(page)).local).toContain('tidings:session');
  await alice.chat.open('Bob');
  await expect(alice.chat.messageNodes().last()).toBeVisible();
  await expect.poll(async () => (await readableStorage(page)).indexedDB).toContain('messages:c_alice_bob');
  const seen = await readableStorage(page);
  for (const [where, text] of Object.entries({ localStorage: seen.local, sessionStorage: seen.session, indexedDB: seen.indexedDB, 'document.cookie': seen.cookie })) {
    expect(text, `${where} holds the session token`).not.toContain(token);
  }
  expect(seen.cookie).not.toContain('tidings_session');
  expect(JSON.parse(JSON.parse(seen.local)['tidings:session'])).toMatchObject({ sessionToken: null, cookieBound: true, user: { username: 'alice' } });
  expect(seen.databases).toEqual(expect.arrayContaining(['tidings', 'tidings-local']));

  // A reload resumes by the cookie alone.
  await page.reload();
  await alice.chat.expectShown();
  await alice.chat.open('Bob');
  await alice.chat.send('after the reload');
  await expect(alice.chat.statusOf('after the reload')).toHaveAccessibleName(/Sent|Delivered|Read/);

  // With no network at all, a cold start shows everything from the device.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
  await alice.context.setOffline(true);
  await page.reload();
  await alice.chat.expectShown();
  await expect(alice.chat.connectionBanner).toContainText('You are offline');
  await expect(alice.chat.conversation('Weekend plans')).toBeVisible();
  await expect(alice.chat.conversation('Bob')).toContainText('You: after the reload');
  await alice.context.setOffline(false);
  await expect(alice.chat.connectionBanner).toBeHidden({ timeout: 30_000 });
  expect((await readableStorage(page)).local).not.toContain(token);
});

test('a lost device is signed out from another browser: its tab falls back to the login form and its storage is wiped', async ({ signIn }) => {
  const lost = await signIn('alice');
  const here = await signIn('alice');
  const settings = new SettingsPage(here.chat.page);
  await settings.open();
  await expect(settings.sessions.getByRole('listitem')).toHaveCount(2);
  await expect(settings.sessions.getByRole('listitem').filter({ hasText: 'This device' })).toHaveCount(1);
  await expect(settings.otherSessions()).toContainText(/Signed in .* · last used/);
  await settings.otherSessions().getByRole('button', { name: /^Sign out/ }).click();

  await lost.login.expectShown();
  await expect(lost.login.alert).toHaveText('You were signed out, from another window or another device.');
  await expect.poll(async () => {
    const left = await readableStorage(lost.chat.page);
    return { local: left.local, databases: left.databases };
  }).toEqual({ local: '{}', databases: [] });
  expect((await lost.context.cookies()).filter((c) => c.name === 'tidings_session')).toEqual([]);
  await expect(settings.sessions.getByRole('listitem')).toHaveCount(1);
  // A reload of the lost tab stays at the login form.
  await lost.chat.page.reload();
  await lost.login.expectShown();
});

test('a display-name change is seen live by a contact, with the username beside it', async ({ signIn }) => {
  const alice = await signIn('alice');
  const bob = await signIn('bob');
  await bob.chat.open('Alice');
  await expect(bob.chat.conversationTitle).toHaveText('Alice @alice');
  const settings = new SettingsPage(alice.chat.page);
  await settings.open();
  await settings.setDisplayName('Alice Liddell');
  await expect(bob.chat.conversationTitle).toHaveText('Alice Liddell @alice');
  await expect(bob.chat.conversation('Alice Liddell')).toBeVisible();
  await expect(alice.chat.page.locator('.account .display-name')).toHaveText('Alice Liddell');
});

test('a password change asks the current one and signs out every other session', async ({ signIn }) => {
  const other = await signIn('alice');
  const here = await signIn('alice');
  const settings = new SettingsPage(here.chat.page);
  await settings.open();
  await settings.changePasswordTo('not-the-password', 'a-brand-new-one');
  await expect(settings.messageOf(settings.currentPassword)).toHaveText('The current password is wrong.');
  await expect(other.chat.conversationList).toBeVisible();
  await settings.changePasswordTo(USERS.alice.password, 'a-brand-new-one');
  await expect(settings.messageOf(settings.currentPassword)).toHaveText('Password changed. Every other session has been signed out.');
  await other.login.expectShown();
  await expect(settings.sessions.getByRole('listitem')).toHaveCount(1);
  await other.login.logIn('alice', 'a-brand-new-one');
  await other.chat.expectShown();
});

test('the theme: dark, light, or the system\'s, kept across a reload', async ({ signIn }) => {
  const alice = await signIn('alice');
  const page = alice.chat.page;
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await background();
  const settings = new SettingsPage(page);
  await settings.open();
  await expect(settings.theme('Same as the system')).toBeChecked();
  await settings.theme('Dark').check();
  await expect(page.locator('html')).toHaveClass(/theme-dark/);
  const dark = await background();
  expect(dark).not.toBe(light);
  await page.reload();
  await alice.chat.expectShown();
  await expect(page.locator('html')).toHaveClass(/theme-dark/);
  expect(await background()).toBe(dark);

  // The system's preference decides when the person leaves it to the system.
  await page.emulateMedia({ colorScheme: 'dark' });
  await settings.open();
  await settings.theme('Light').check();
  expect(await background()).toBe(light);
  await settings.theme('Same as the system').check();
  expect(await background()).toBe(dark);
  await page.emulateMedia({ colorScheme: 'light' });
  expect(await background()).toBe(light);
});

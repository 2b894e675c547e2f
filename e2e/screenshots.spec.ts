import { expect, test } from './fixtures';

/**
 * Writes the README's screenshots of the main screens at desktop and phone
 * sizes into docs/screenshots/. It asserts only that each screen is there.
 */
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
const DIR = 'docs/screenshots';

for (const [size, viewport] of Object.entries(SIZES)) {
  test(`screenshots at ${size} size`, async ({ browser, baseURL, signIn }) => {
    const context = await browser.newContext({ baseURL, viewport });
    const page = await context.newPage();
    await page.goto('/');
    await expect(page.getByLabel('Username', { exact: true })).toBeVisible();
    await page.screenshot({ path: `${DIR}/login-${size}.png` });
    await context.close();

    const alice = await signIn('alice', { viewport });
    const { chat } = alice;
    await expect(chat.conversation('Weekend plans')).toBeVisible();
    await chat.page.screenshot({ path: `${DIR}/conversations-${size}.png` });

    await chat.open('Bob');
    await expect(chat.messageNodes().first()).toBeVisible();
    await chat.page.waitForTimeout(200);
    await chat.page.screenshot({ path: `${DIR}/conversation-${size}.png` });
  });
}

test('screenshot of the offline banner with a pending message', async ({ signIn, server }) => {
  const alice = await signIn('alice');
  await alice.chat.open('Bob');
  await alice.context.setOffline(true);
  await server.control('drop');
  await expect(alice.chat.connectionBanner).toBeVisible();
  await alice.chat.send('Heading out now, see you at seven!');
  await expect(alice.chat.statusOf('Heading out now')).toHaveAccessibleName('Pending');
  await alice.chat.page.screenshot({ path: `${DIR}/offline-desktop.png` });
  await alice.context.setOffline(false);
});

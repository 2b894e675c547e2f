import { expect, test } from './fixtures';

/**
 * Search (docs/CLIENT.md, "Search") against the mock server's demo data:
 * offline from what the device holds, online merged with the server's, and
 * a result opens its conversation at that message.
 */
test('search: offline from the device, online with the server, and a result opens the conversation at the message', async ({ signIn }) => {
  const alice = await signIn('alice');
  const page = alice.chat.page;
  await alice.chat.open(/bob/i);
  const text = `Zanzibar planning ${Date.now()}`;
  await alice.chat.send(text);
  await expect(alice.chat.message(text)).toHaveCount(1);
  const box = page.getByRole('searchbox', { name: 'Search messages' });
  const results = page.locator('.search-results');

  await alice.context.setOffline(true);
  await box.fill('zanzib');
  await expect(results.locator('.search-result')).toHaveCount(1);
  await expect(results.locator('.search-result mark')).toHaveText('Zanzibar');
  await expect(results).toContainText('Offline: results from this device only');

  await alice.context.setOffline(false);
  await expect(alice.chat.connectionBanner).toBeHidden({ timeout: 20_000 });
  // Only on the server: the long history with carol was never opened on this device.
  await box.fill('message 1234');
  const far = results.locator('.search-result', { hasText: 'Message 1234 of the long history' });
  await expect(far).toHaveCount(1, { timeout: 10_000 });
  await expect(results.locator('.search-result').first()).toContainText('Carol');
  await far.click();
  const found = page.locator('.main-pane').getByText('Message 1234 of the long history', { exact: true });
  await expect(found).toBeInViewport({ timeout: 10_000 });
});

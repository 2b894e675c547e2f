import { expect, test } from './fixtures';

test('offline: the banner says so, a message waits as pending, and goes out once when back online', async ({ signIn, server }) => {
  const alice = await signIn('alice');
  const bob = await signIn('bob');
  await alice.chat.open(/bob/i);
  await bob.chat.open(/alice/i);

  await alice.context.setOffline(true);
  await server.control('drop');
  await expect(alice.chat.connectionBanner).toBeVisible();
  await expect(alice.chat.connectionBanner).toContainText('Messages will be sent when you are back online.');

  const text = `Written offline ${Date.now()}`;
  await alice.chat.send(text);
  await expect(alice.chat.statusOf(text)).toHaveAccessibleName('Pending');

  await alice.context.setOffline(false);
  await expect(bob.chat.message(text)).toHaveCount(1, { timeout: 20_000 });
  await expect(alice.chat.statusOf(text)).toHaveAccessibleName(/Delivered|Read/);
  await expect(alice.chat.connectionBanner).toBeHidden();
  await expect(alice.chat.message(text)).toHaveCount(1);
});

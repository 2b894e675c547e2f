import { expect, test } from './fixtures';

test('after the server drops every socket the app reconnects and catches up, once each', async ({ signIn, server }) => {
  const alice = await signIn('alice');
  const bob = await signIn('bob');
  await alice.chat.open('Bob');
  await bob.chat.open('Alice');

  await server.control('drop');
  const texts = [1, 2, 3].map((n) => `While you were away ${n} ${Date.now()}`);
  // Bob writes at once: his messages wait in the outbox until his socket is back.
  for (const text of texts) await bob.chat.send(text);

  for (const text of texts) {
    await expect(alice.chat.message(text)).toHaveCount(1, { timeout: 20_000 });
    await expect(bob.chat.message(text)).toHaveCount(1);
  }
  await expect(alice.chat.connectionBanner).toBeHidden();
  // Nothing arrives twice after things settle.
  await alice.chat.page.waitForTimeout(500);
  for (const text of texts) await expect(alice.chat.message(text)).toHaveCount(1);
  await expect(bob.chat.statusOf(texts[2] as string)).toHaveAccessibleName(/Delivered|Read/);
});

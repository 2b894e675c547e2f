import { expect, test } from './fixtures';

test('markup in a message is shown as text and never runs', async ({ signIn }) => {
  const alice = await signIn('alice');
  const bob = await signIn('bob');
  const payload = `<img src=x onerror="window.__pwned='img'"><script>window.__pwned='script'</script><b onclick="window.__pwned='b'">bold?</b>`;
  await alice.chat.open('Bob');
  await alice.chat.send(payload);
  await bob.chat.open('Alice');

  for (const person of [alice, bob]) {
    const row = person.chat.message('<script>');
    await expect(row).toBeVisible();
    await expect(row.locator('.body')).toHaveText(payload);
    await expect(person.chat.messageLog.locator('img, script, b')).toHaveCount(0);
    // Give an injected handler every chance to fire before checking.
    await person.chat.page.waitForTimeout(300);
    expect(await person.chat.page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
  }
});

test('links in messages open safely in a new tab', async ({ signIn }) => {
  const alice = await signIn('alice');
  await alice.chat.open('Bob');
  await alice.chat.send('Docs at https://example.com/guide. javascript:alert(1) stays text');
  const link = alice.chat.messageLog.getByRole('link', { name: 'https://example.com/guide' });
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(alice.chat.messageLog.getByRole('link')).toHaveCount(1);
});

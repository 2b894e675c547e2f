import { expect, test, USERS } from './fixtures';

test('on a public computer, closing the tab with unsent messages asks first', async ({ page, loginPage, chatPage, server, context }) => {
  await loginPage.goto();
  await loginPage.logIn(USERS.alice.username, USERS.alice.password, { publicComputer: true });
  await chatPage.open(/bob/i);

  await context.setOffline(true);
  await server.control('drop');
  await expect(chatPage.connectionBanner).toBeVisible();
  await chatPage.send('Not sent yet');
  await expect(chatPage.statusOf('Not sent yet')).toHaveAccessibleName('Pending');

  const dialog = page.waitForEvent('dialog');
  await page.close({ runBeforeUnload: true });
  const prompt = await dialog;
  expect(prompt.type()).toBe('beforeunload');
  await prompt.dismiss();
  expect(page.isClosed()).toBe(false);
  await context.setOffline(false);
});

test('on a trusted device, closing the tab does not ask', async ({ page, chatPage, loginPage }) => {
  await loginPage.goto();
  await loginPage.logIn(USERS.alice.username, USERS.alice.password);
  await chatPage.open(/bob/i);
  let asked = false;
  page.on('dialog', (d) => {
    asked = true;
    void d.accept();
  });
  await page.close({ runBeforeUnload: true });
  await expect.poll(() => page.isClosed()).toBe(true);
  expect(asked).toBe(false);
});

import { expect, test, USERS } from './fixtures';

test.describe('signing in and out', () => {
  test('a new person signs up, logs out and logs in again', async ({ loginPage, chatPage }) => {
    await loginPage.goto();
    await loginPage.signUp('dora', 'dora-secret-1', 'Dora Explorer');
    await chatPage.expectShown();
    await expect(chatPage.page.getByText('Dora Explorer')).toBeVisible();

    await chatPage.logOut();
    await loginPage.expectShown();
    await expect(loginPage.alert).toHaveText('You have logged out.');

    await loginPage.logIn('dora', 'dora-secret-1');
    await chatPage.expectShown();
  });

  test('a wrong password is refused with a clear message', async ({ loginPage, chatPage }) => {
    await loginPage.goto();
    await loginPage.logIn(USERS.alice.username, 'not-the-password');
    await expect(loginPage.alert).toHaveText('Wrong username or password.');
    await expect(chatPage.conversationList).toHaveCount(0);
  });

  test('signing up with a taken username says so', async ({ loginPage }) => {
    await loginPage.goto();
    await loginPage.signUp('alice', 'whatever-123');
    await expect(loginPage.alert).toHaveText('That username is already taken.');
  });

  test('logout returns to the login form and a reload stays logged out', async ({ signIn }) => {
    const alice = await signIn('alice');
    await alice.chat.logOut();
    await alice.login.expectShown();
    await alice.chat.page.reload();
    await alice.login.expectShown();
  });

  test('on a public computer a reload asks for the password again', async ({ loginPage, chatPage, page }) => {
    await loginPage.goto();
    await loginPage.logIn(USERS.alice.username, USERS.alice.password, { publicComputer: true });
    await chatPage.expectShown();
    await expect(page.getByText('Public', { exact: true })).toBeVisible();
    await page.reload();
    await loginPage.expectShown();
  });
});

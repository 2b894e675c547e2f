import { expect, test } from './fixtures';

test('a new person adds a contact by username and starts a direct conversation', async ({ loginPage, chatPage, signIn }) => {
  const alice = await signIn('alice');
  await loginPage.goto();
  await loginPage.signUp('erin', 'erin-secret-1', 'Erin');
  await chatPage.expectShown();

  await chatPage.addContact('nobody-here');
  await expect(chatPage.page.getByText('There is no user called "nobody-here".')).toBeVisible();
  await chatPage.addContact('alice');
  await expect(chatPage.page.getByText('Request sent to Alice @alice. You will see each other once they accept.')).toBeVisible();
  // Alice accepts; the two are contacts from then on.
  await alice.chat.contactsTab.click();
  await alice.chat.page.getByRole('button', { name: 'Accept Erin @erin' }).click();
  await expect(chatPage.page.getByRole('button', { name: 'Message Alice @alice' })).toBeVisible();

  await chatPage.messageContact('Alice');
  await expect(chatPage.conversationTitle).toHaveText('Alice @alice');
  await chatPage.send('Hi Alice, it is Erin!');

  await alice.chat.chatsTab.click();
  await expect(alice.chat.conversation('Erin')).toBeVisible();
  await alice.chat.open('Erin');
  await expect(alice.chat.message('Hi Alice, it is Erin!')).toBeVisible();
});

test('a group conversation reaches every member', async ({ signIn }) => {
  const alice = await signIn('alice');
  const carol = await signIn('carol');
  const page = alice.chat.page;
  await alice.chat.contactsTab.click();
  await page.getByText('New group').click();
  await page.getByLabel('Group name').fill('Book club');
  await page.getByRole('checkbox', { name: /bob/i }).check();
  await page.getByRole('checkbox', { name: /carol/i }).check();
  await page.getByRole('button', { name: 'Create group' }).click();
  await expect(alice.chat.conversationTitle).toHaveText('Book club');
  await alice.chat.send('First meeting on Friday?');

  await carol.chat.open('Book club');
  await expect(carol.chat.message('First meeting on Friday?')).toBeVisible();
  await expect(carol.chat.page.locator('.conversation-subtitle')).toContainText('Alice');
});

import type { Browser, BrowserContext } from '@playwright/test';
import { expect, test } from './fixtures';
import { ChatPage } from './pages/chat-page';
import { ContactsPage } from './pages/contacts-page';
import { LoginPage } from './pages/login-page';

/** Someone new, signed up in a browser of their own. */
async function newcomer(browser: Browser, baseURL: string, username: string, displayName: string, contexts: BrowserContext[]) {
  const context = await browser.newContext({ baseURL });
  contexts.push(context);
  const page = await context.newPage();
  const login = new LoginPage(page);
  const chat = new ChatPage(page);
  await login.goto();
  await login.signUp(username, `${username}-secret-1`, displayName);
  // Sign-up hashes the password at full cost: slow on a busy machine.
  await expect(chat.conversationList).toBeVisible({ timeout: 90_000 });
  return { page, chat, contacts: new ContactsPage(page) };
}

// Several browsers at once, each signing up or in: more than the default 45 s on a busy machine.
test.describe.configure({ timeout: 300_000 });

test.describe('contacts by consent', () => {
  const contexts: BrowserContext[] = [];
  test.afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });

  test('two people who only know each other\'s usernames become contacts: request, count, accept; no presence before', async ({ browser, server }) => {
    const erin = await newcomer(browser, server.url, 'erin', 'Erin', contexts);
    const frank = await newcomer(browser, server.url, 'frank', 'Frank', contexts);

    await erin.contacts.add('frank');
    await expect(erin.contacts.status).toHaveText('Request sent to Frank @frank. You will see each other once they accept.');
    const outgoing = erin.contacts.entry(erin.contacts.requested, 'Frank @frank');
    await expect(outgoing).toContainText('Requested');
    // Frank is online, but Erin is not told so before he accepts.
    await expect(outgoing).not.toContainText('online');
    await expect(erin.page.getByRole('button', { name: /^Message Frank/ })).toHaveCount(0);

    await expect(frank.contacts.tab).toHaveAccessibleName('Contacts 1 request');
    await frank.contacts.show();
    const incoming = frank.contacts.entry(frank.contacts.requests, 'Erin @erin');
    await expect(incoming).toContainText('wants to be your contact');
    await expect(incoming).not.toContainText('online');
    await frank.contacts.accept('Erin @erin');
    await expect(frank.contacts.tab).toHaveAccessibleName('Contacts');

    await expect(frank.contacts.entry(frank.contacts.contacts, 'Erin @erin')).toContainText('online');
    await expect(erin.contacts.entry(erin.contacts.contacts, 'Frank @frank')).toContainText('online');
    await expect(erin.contacts.requested).toBeHidden();

    await erin.chat.messageContact('Frank @frank');
    await expect(erin.chat.conversationTitle).toHaveText('Frank @frank');
    await erin.chat.send('Hello Frank, found you by your username.');
    await frank.chat.chatsTab.click();
    await frank.chat.open('Erin');
    await expect(frank.chat.message('Hello Frank, found you by your username.')).toBeVisible();
  });

  test('a declined request leaves the recipient\'s list; the sender is not told and can withdraw it', async ({ browser, server, signIn }) => {
    const alice = await signIn('alice');
    const aliceContacts = new ContactsPage(alice.chat.page);
    const gina = await newcomer(browser, server.url, 'gina', 'Gina', contexts);
    await gina.contacts.add('alice');
    await expect(gina.contacts.entry(gina.contacts.requested, 'Alice @alice')).toBeVisible();
    await expect(aliceContacts.tab).toHaveAccessibleName('Contacts 1 request');
    await aliceContacts.decline('Gina @gina');
    await expect(aliceContacts.status).toHaveText('Declined the request from Gina @gina.');
    await expect(aliceContacts.tab).toHaveAccessibleName('Contacts');
    await expect(aliceContacts.requests).toBeHidden();
    // A decline is not announced: Gina still sees her request waiting, and may withdraw it.
    await expect(gina.contacts.entry(gina.contacts.requested, 'Alice @alice')).toBeVisible();
    await gina.page.getByRole('button', { name: 'Withdraw the request to Alice @alice' }).click();
    await expect(gina.contacts.status).toHaveText('Withdrew the request to Alice @alice.');
    await expect(gina.contacts.requested).toBeHidden();
    await expect(gina.contacts.panel.getByRole('listitem').filter({ hasText: 'Alice @alice' })).toHaveCount(0);
  });

  test('a look-alike display name cannot pass for someone else: the username shows beside it', async ({ browser, server, signIn }) => {
    const bob = await signIn('bob');
    const mallory = await newcomer(browser, server.url, 'mallory', '\u0410lice', contexts);
    await mallory.contacts.add('bob');
    const bobContacts = new ContactsPage(bob.chat.page);
    await bobContacts.show();
    await expect(bobContacts.entry(bobContacts.requests, '@mallory')).toHaveText(/\u0410lice @mallory/);
    await expect(bobContacts.entry(bobContacts.contacts, '@alice')).toHaveText(/Alice @alice/);
  });
});

test.describe('blocking', () => {
  test('a blocked person cannot write directly, sees no presence, and their group messages are hidden; unblocking undoes it', async ({ signIn }) => {
    const alice = await signIn('alice');
    const bob = await signIn('bob');
    const aliceContacts = new ContactsPage(alice.chat.page);
    const bobContacts = new ContactsPage(bob.chat.page);
    await bobContacts.show();
    await expect(bobContacts.entry(bobContacts.contacts, 'Alice @alice')).toContainText('online');

    await aliceContacts.block('Bob @bob');
    await expect(aliceContacts.status).toHaveText('Blocked Bob @bob.');
    await expect(aliceContacts.entry(aliceContacts.blocked, 'Bob @bob')).toBeVisible();
    await expect(bobContacts.entry(bobContacts.contacts, 'Alice @alice')).not.toContainText('online');

    // Bob's direct message is refused.
    await bob.chat.chatsTab.click();
    await bob.chat.open('Alice');
    await bob.chat.send('Can you hear me?');
    await expect(bob.chat.statusOf('Can you hear me?')).toHaveAccessibleName('Not sent');

    // In the group they share, Bob's message reaches Alice as one hidden line, shown on request.
    await alice.chat.chatsTab.click();
    await alice.chat.open('Weekend plans');
    await bob.chat.open('Weekend plans');
    await bob.chat.send('Bob says hi to the group');
    await expect(alice.chat.messageLog.getByText('Message from a blocked person').last()).toBeVisible();
    await expect(alice.chat.message('Bob says hi to the group')).toHaveCount(0);
    await alice.chat.messageLog.getByRole('button', { name: 'Show' }).last().click();
    await expect(alice.chat.message('Bob says hi to the group')).toBeVisible();

    await aliceContacts.unblock('Bob @bob');
    await expect(aliceContacts.entry(aliceContacts.contacts, 'Bob @bob')).toBeVisible();
    await bobContacts.show();
    await expect(bobContacts.entry(bobContacts.contacts, 'Alice @alice')).toContainText('online');
  });
});

import { expect, test } from './fixtures';

test.describe('two people chatting', () => {
  test('messages go both ways and the ticks move from sent to delivered to read', async ({ signIn }) => {
    const alice = await signIn('alice');
    const bob = await signIn('bob');
    await alice.chat.open('Bob');

    const hello = `Hello Bob ${Date.now()}`;
    await alice.chat.send(hello);
    await expect(alice.chat.message(hello)).toBeVisible();
    // Bob's client is online, so it stores the message and acknowledges it.
    await expect(alice.chat.statusOf(hello)).toHaveAccessibleName(/Delivered|Read/);

    await bob.chat.open('Alice');
    await expect(bob.chat.message(hello)).toBeVisible();
    await expect(alice.chat.statusOf(hello)).toHaveAccessibleName('Read');

    const reply = `Hi Alice ${Date.now()}`;
    await bob.chat.send(reply);
    await expect(alice.chat.message(reply)).toBeVisible();
    // Alice was at the bottom, so the list stays pinned there as the reply arrives.
    await expect(alice.chat.message(reply)).toBeInViewport();
    await expect(bob.chat.statusOf(reply)).toHaveAccessibleName('Read');
    // Others' messages carry no status icon.
    await expect(alice.chat.statusOf(reply)).toHaveCount(0);
  });

  test('an unread count shows in the list and clears when the conversation opens', async ({ signIn }) => {
    const alice = await signIn('alice');
    const bob = await signIn('bob');
    await bob.chat.open('Alice');
    const text = `Unread check ${Date.now()}`;
    await bob.chat.send(text);
    const item = alice.chat.conversation('Bob');
    await expect(item).toHaveAccessibleName(new RegExp(`${text}.*\\d+ unread`));
    await alice.chat.open('Bob');
    await expect(item).not.toHaveAccessibleName(/unread/);
  });

  test('the other person sees "typing…" while one types, and it goes away', async ({ signIn }) => {
    const alice = await signIn('alice');
    const bob = await signIn('bob');
    await alice.chat.open('Bob');
    await bob.chat.open('Alice');
    await alice.chat.composer.pressSequentially('Just a sec', { delay: 20 });
    await expect(bob.chat.typingIndicator).toHaveText(/is typing…/);
    await alice.chat.composer.press('Enter');
    await expect(bob.chat.typingIndicator).toHaveText('');
    await expect(bob.chat.message('Just a sec')).toBeVisible();
  });

  test('a new message does not move the view while one reads older history', async ({ signIn }) => {
    const alice = await signIn('alice');
    const bob = await signIn('bob');
    await alice.chat.open('Bob');
    await bob.chat.open('Alice');
    await alice.chat.scrollMessagesTo('top');
    const before = await alice.chat.visibleSeqs();
    const text = `While scrolled up ${Date.now()}`;
    await bob.chat.send(text);
    await expect(alice.chat.conversation('Bob')).toHaveAccessibleName(new RegExp(text));
    expect(await alice.chat.visibleSeqs()).toEqual(before);
    await alice.chat.page.getByRole('button', { name: /^Jump to latest/ }).click();
    await expect(alice.chat.message(text)).toBeInViewport();
    await expect(alice.chat.page.getByRole('button', { name: /^Jump to latest/ })).toBeHidden();
  });

  test('a draft stays in its conversation through a reload, and goes once it is sent', async ({ signIn }) => {
    const alice = await signIn('alice');
    await alice.chat.open('Bob');
    const draft = `Half a thought ${Date.now()}`;
    await alice.chat.composer.fill(draft);
    await alice.chat.open('Carol');
    await expect(alice.chat.composer).toHaveValue('');
    // On the device before the reload: the store writes in batches, a moment after the change.
    const storedDrafts = () => alice.chat.page.evaluate(() => Object.keys(localStorage).filter((key) => key.endsWith(':drafts')).map((key) => localStorage.getItem(key)).join());
    await expect.poll(storedDrafts).toContain(draft);
    await alice.chat.page.reload();
    await alice.chat.open('Bob');
    await expect(alice.chat.composer).toHaveValue(draft);
    await alice.chat.composer.press('Enter');
    await expect(alice.chat.message(draft)).toBeVisible();
    await alice.chat.open('Carol');
    await alice.chat.open('Bob');
    await expect(alice.chat.composer).toHaveValue('');
    await expect.poll(storedDrafts).not.toContain(draft);
  });

  test('the composer shows the length limit before it is reached', async ({ signIn }) => {
    const alice = await signIn('alice');
    await alice.chat.open('Bob');
    const counter = alice.chat.page.locator('#composer-counter');
    await alice.chat.composer.fill('a'.repeat(3499));
    await expect(counter).toBeHidden();
    await alice.chat.composer.fill('a'.repeat(3600));
    await expect(counter).toHaveText('3,600 / 4,000');
    await alice.chat.composer.fill('a'.repeat(4005));
    await expect(counter).toHaveText('5 characters too many');
    await expect(alice.chat.sendButton).toBeDisabled();
  });
});

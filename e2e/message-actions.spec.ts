import type { Page } from '@playwright/test';
import { expect, test, USERS } from './fixtures';
import { MessageActions } from './pages/message-actions';
import { ConversationReader } from './support/conversation-reader';

/** The demo conversations (server/mock/demo-data.ts). */
const ALICE_CAROL = 'c_alice_carol';

/** Everything this device stores (localStorage and the IndexedDB databases), as one string to search. */
async function storedText(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const parts: string[] = Object.keys(localStorage).map((key) => `${key}=${localStorage.getItem(key)}`);
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(info.name as string);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      for (const storeName of [...db.objectStoreNames]) {
        const values = await new Promise<unknown[]>((resolve, reject) => {
          const request = db.transaction(storeName, 'readonly').objectStore(storeName).getAll();
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        parts.push(JSON.stringify(values));
      }
      db.close();
    }
    return parts.join('\n');
  });
}

test.describe('what a person does to a message', () => {
  // Two or three browser contexts on a machine shared with other work.
  test.describe.configure({ timeout: 90_000 });

  test('an edit shows in place on the other screen, marked "edited"; the Up arrow edits one\'s last message', async ({ signIn }) => {
    const alice = await signIn('alice');
    const bob = await signIn('bob');
    await alice.chat.open('Bob');
    await bob.chat.open('Alice');
    const actions = new MessageActions(alice.chat);
    const stamp = Date.now();
    await alice.chat.send(`Meet at 7 ${stamp}`);
    await expect(bob.chat.message(`Meet at 7 ${stamp}`)).toBeVisible();

    await actions.edit(`Meet at 7 ${stamp}`, `Meet at 8 ${stamp}`);
    await expect(bob.chat.message(`Meet at 8 ${stamp}`)).toBeVisible();
    await expect(bob.chat.message(`Meet at 7 ${stamp}`)).toHaveCount(0);
    await expect(new MessageActions(bob.chat).editedMark(`Meet at 8 ${stamp}`)).toBeVisible();
    await expect(actions.editedMark(`Meet at 8 ${stamp}`)).toBeVisible();

    // The Up arrow in the empty composer edits the same message; Escape would cancel, Enter saves.
    await alice.chat.composer.focus();
    await alice.chat.composer.press('ArrowUp');
    await expect(actions.composerBar).toContainText('Editing message');
    await expect(alice.chat.composer).toHaveValue(`Meet at 8 ${stamp}`);
    await alice.chat.composer.press('Escape');
    await expect(actions.composerBar).toBeHidden();
    await expect(alice.chat.composer).toHaveValue('');
    await alice.chat.composer.press('ArrowUp');
    await alice.chat.composer.fill(`Meet at 9 ${stamp}`);
    await alice.chat.composer.press('Enter');
    await expect(bob.chat.message(`Meet at 9 ${stamp}`)).toBeVisible();
    await expect(alice.chat.message(`Meet at 9 ${stamp}`)).toHaveCount(1);
  });

  test('a deletion for everyone replaces the message on the other screen, and its text leaves the other device\'s store', async ({ signIn }) => {
    const alice = await signIn('alice');
    const bob = await signIn('bob');
    await alice.chat.open('Bob');
    await bob.chat.open('Alice');
    const secret = `The door code is 4711 ${Date.now()}`;
    await alice.chat.send(secret);
    await expect(bob.chat.message(secret)).toBeVisible();
    // On bob's device first, so its going is the deletion's doing.
    await expect.poll(() => storedText(bob.chat.page)).toContain(secret);

    const actions = new MessageActions(alice.chat);
    // Escape in the confirmation cancels: nothing is deleted.
    await actions.choose(secret, 'Delete for everyone');
    await expect(alice.chat.page.getByRole('dialog', { name: 'Delete for everyone?' })).toBeVisible();
    await alice.chat.page.keyboard.press('Escape');
    await expect(alice.chat.page.getByRole('dialog')).toHaveCount(0);
    await expect(alice.chat.message(secret)).toBeVisible();

    await actions.deleteForEveryone(secret);
    const deleted = 'This message was deleted';
    await expect(alice.chat.message(secret)).toHaveCount(0);
    await expect(bob.chat.message(secret)).toHaveCount(0);
    await expect(bob.chat.messageNodes().last()).toContainText(deleted);
    await expect(bob.chat.messageNodes().last().getByRole('button', { name: 'Message actions' })).toHaveCount(0);
    await expect.poll(() => storedText(bob.chat.page), { timeout: 10_000 }).not.toContain(secret);
    await expect.poll(() => storedText(alice.chat.page), { timeout: 10_000 }).not.toContain(secret);
  });

  test('a reply quotes its original above the composer and above the message; the quote leads back to it', async ({ signIn }) => {
    const alice = await signIn('alice');
    const bob = await signIn('bob');
    await alice.chat.open('Bob');
    await bob.chat.open('Alice');
    const stamp = Date.now();
    const question = `Pizza or pasta? ${stamp}\nSecond line`;
    await bob.chat.send(question);
    await expect(alice.chat.message(`Pizza or pasta? ${stamp}`)).toBeVisible();

    const actions = new MessageActions(alice.chat);
    await actions.choose(`Pizza or pasta? ${stamp}`, 'Reply');
    await expect(actions.composerBar).toContainText('Replying to Bob');
    await alice.chat.page.getByRole('button', { name: 'Cancel reply' }).click();
    await expect(actions.composerBar).toBeHidden();
    await actions.reply(`Pizza or pasta? ${stamp}`, `Pasta! ${stamp}`);

    // Each reads the quote from where they stand: Bob wrote the original.
    for (const [chat, sender] of [[alice.chat, 'Bob'], [bob.chat, 'You']] as const) {
      const quote = new MessageActions(chat).quoteIn(`Pasta! ${stamp}`);
      await expect(quote).toContainText(sender);
      await expect(quote).toContainText(`Pizza or pasta? ${stamp}`);
      await expect(quote).not.toContainText('Second line');
    }
    // The quote takes Bob to the original, highlighted for a moment.
    await new MessageActions(bob.chat).quoteIn(`Pasta! ${stamp}`).click();
    // Highlighted for two seconds only: looked at first. (The reply's row quotes the text too.)
    const originalRow = bob.chat.message(`Pizza or pasta? ${stamp}`).filter({ hasNotText: 'Pasta!' });
    await expect(originalRow).toHaveClass(/is-highlighted/);
    await expect(originalRow).toBeInViewport();
  });

  test('the quote of an old message this device never loaded fetches it, and leads to it', async ({ signIn, server }) => {
    const carol = await ConversationReader.open(server.url.replace(/^http/, 'ws') + '/ws', USERS.carol.username, USERS.carol.password);
    let original: string;
    try {
      // Seq 101 is one of carol's (the demo alternates two of hers with one of alice's).
      const old = await carol.messageAt(ALICE_CAROL, 101);
      expect(old.senderId).toBe('u_carol');
      original = old.body;
      await carol.reply(ALICE_CAROL, `Remember this one? ${Date.now()}`, old.id);
    } finally {
      carol.close();
    }
    const alice = await signIn('alice');
    await alice.chat.open('Carol');
    const actions = new MessageActions(alice.chat);
    const quote = actions.quoteIn('Remember this one?');
    await expect(quote).toContainText('Carol');
    await expect(quote).toContainText(original);
    // Seq 101 of 10,000: far older than anything the conversation loaded when it opened.
    expect(await alice.chat.oldestRenderedSeq()).toBeGreaterThan(101);
    await quote.click();
    const target = alice.chat.messageLog.locator('.row-message[data-seq="101"]');
    await expect(target).toHaveClass(/is-highlighted/);
    await expect(target).toBeInViewport();
    await expect(target).toContainText(original);
  });

  test('reactions show as counts naming who reacted, and a chip toggles one\'s own', async ({ signIn }) => {
    test.setTimeout(150_000);
    const alice = await signIn('alice');
    const bob = await signIn('bob');
    const carol = await signIn('carol');
    for (const person of [alice, bob, carol]) await person.chat.open('Weekend plans');
    const text = 'Hiking on Saturday?';
    await new MessageActions(alice.chat).react(text, 'thumbs up');
    await new MessageActions(bob.chat).react(text, 'thumbs up');
    const carolView = new MessageActions(carol.chat);
    await expect(carolView.reactionChip(text, '👍')).toHaveAccessibleName('👍 2: Alice and Bob');
    await expect(carolView.reactionChip(text, '👍')).toHaveAttribute('aria-pressed', 'false');
    const aliceChip = new MessageActions(alice.chat).reactionChip(text, '👍');
    await expect(aliceChip).toHaveAccessibleName('👍 2: You and Bob');
    await expect(aliceChip).toHaveAttribute('aria-pressed', 'true');
    await expect(aliceChip).toHaveAttribute('title', 'You and Bob');

    // Alice takes hers back with the chip; carol adds hers the same way.
    await aliceChip.click();
    await expect(carolView.reactionChip(text, '👍')).toHaveAccessibleName('👍 1: Bob');
    await carolView.reactionChip(text, '👍').click();
    await expect(new MessageActions(alice.chat).reactionChip(text, '👍')).toHaveAccessibleName('👍 2: Bob and Carol');
    await expect(new MessageActions(alice.chat).reactionChip(text, '👍')).toHaveAttribute('aria-pressed', 'false');

    // The full picker: any emoji, found by name.
    await new MessageActions(bob.chat).reactFromFullPicker(text, 'rocket', 'rocket');
    await expect(new MessageActions(alice.chat).reactionChip(text, '🚀')).toHaveAccessibleName('🚀 1: Bob');
  });

  test('"seen by" in a group lists who read and who has it delivered, and follows as they read', async ({ signIn }) => {
    test.setTimeout(150_000);
    const alice = await signIn('alice');
    const bob = await signIn('bob');
    const carol = await signIn('carol');
    await alice.chat.open('Weekend plans');
    await bob.chat.open('Weekend plans');
    // Carol is signed in with no conversation open: the message reaches her device, unread.
    await carol.chat.contactsTab.click();
    const text = `Who is driving? ${Date.now()}`;
    await alice.chat.send(text);
    await expect(bob.chat.message(text)).toBeVisible();
    const actions = new MessageActions(alice.chat);
    const dialog = await actions.openInfo(text);
    await expect(actions.namesIn(dialog, 'Read by')).toHaveText(['Bob']);
    await expect(actions.namesIn(dialog, 'Delivered to')).toHaveText(['Carol']);
    // Carol opens the group while the dialog is open: it moves her, live.
    await carol.chat.chatsTab.click();
    await carol.chat.open('Weekend plans');
    await expect(actions.namesIn(dialog, 'Read by')).toHaveText(['Bob', 'Carol']);
    await expect(actions.namesIn(dialog, 'Delivered to')).toHaveCount(0);
    await alice.chat.page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
  });
});

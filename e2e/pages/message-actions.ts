import { expect, type Locator, type Page } from '@playwright/test';
import type { ChatPage } from './chat-page';

/**
 * What a person does to one message of the open conversation (version 2):
 * its menu, editing and deleting, replying, reactions, the seen-by dialog.
 * Messages are found by their text, as ChatPage.message finds them.
 */
export class MessageActions {
  readonly page: Page;
  /** The composer's bar while editing or replying ("Editing message", "Replying to Bob"). */
  readonly composerBar: Locator;

  constructor(private readonly chat: ChatPage) {
    this.page = chat.page;
    this.composerBar = this.page.getByRole('form', { name: 'Write a message' }).locator('#composer-bar');
  }

  /** The row of the message whose text contains `text`. */
  message(text: string): Locator {
    return this.chat.message(text);
  }

  /** Opens the message's menu with its button (shown on hover, always reachable by keyboard). */
  async openMenu(text: string): Promise<Locator> {
    const row = this.message(text);
    await row.hover();
    await row.getByRole('button', { name: 'Message actions' }).click();
    const menu = this.page.getByRole('menu', { name: 'Message actions' });
    await expect(menu).toBeVisible();
    return menu;
  }

  async choose(text: string, action: 'Reply' | 'React' | 'Edit' | 'Delete for everyone' | 'Info'): Promise<void> {
    const menu = await this.openMenu(text);
    await menu.getByRole('menuitem', { name: action, exact: true }).click();
  }

  /** Edits one's own message through its menu, and saves with Enter. */
  async edit(text: string, newText: string): Promise<void> {
    await this.choose(text, 'Edit');
    await expect(this.composerBar).toContainText('Editing message');
    await this.chat.composer.fill(newText);
    await this.chat.composer.press('Enter');
    await expect(this.composerBar).toBeHidden();
  }

  /** Deletes one's own message for everyone, confirming in the dialog. */
  async deleteForEveryone(text: string): Promise<void> {
    await this.choose(text, 'Delete for everyone');
    const dialog = this.page.getByRole('dialog', { name: 'Delete for everyone?' });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Delete for everyone' }).click();
    await expect(dialog).toBeHidden();
  }

  /** Answers a message: the quote above the composer, then the reply sent with Enter. */
  async reply(text: string, replyText: string): Promise<void> {
    await this.choose(text, 'Reply');
    await expect(this.composerBar).toContainText('Replying to');
    await this.chat.send(replyText);
  }

  /** Toggles a reaction from the quick picker, by the emoji's name ("thumbs up"). */
  async react(text: string, emojiName: string): Promise<void> {
    await this.choose(text, 'React');
    await this.page.getByRole('menu', { name: 'React with' }).getByRole('menuitemcheckbox', { name: emojiName, exact: true }).click();
  }

  /** Reacts from the full picker, searching the emoji by name. */
  async reactFromFullPicker(text: string, search: string, emojiName: string): Promise<void> {
    await this.choose(text, 'React');
    await this.page.getByRole('menu', { name: 'React with' }).getByRole('menuitem', { name: 'More emoji' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Choose a reaction' });
    await dialog.getByLabel('Search emoji').fill(search);
    await dialog.getByRole('button', { name: emojiName, exact: true }).click();
    await expect(dialog).toBeHidden();
  }

  /** The chip of `emoji` under the message; its accessible name is "<emoji> <count>: <who>". */
  reactionChip(text: string, emoji: string): Locator {
    return this.message(text).getByRole('group', { name: 'Reactions' }).getByRole('button', { name: new RegExp(`^${escapeRegExp(emoji)} `) });
  }

  /** The quote above a reply (a button leading to the original, unless it cannot be seen). */
  quoteIn(replyText: string): Locator {
    return this.message(replyText).locator('.quote');
  }

  /** The "edited" mark of a message. */
  editedMark(text: string): Locator {
    return this.message(text).getByText('edited', { exact: true });
  }

  /** The subtle mark of a change that has not gone out. */
  pendingMark(text: string): Locator {
    return this.message(text).getByText('pending', { exact: true });
  }

  /** Opens the Info dialog of one's own message in a group. */
  async openInfo(text: string): Promise<Locator> {
    await this.choose(text, 'Info');
    const dialog = this.page.getByRole('dialog', { name: 'Message info' });
    await expect(dialog).toBeVisible();
    return dialog;
  }

  /** The names listed under "Read by" or "Delivered to" in the Info dialog. */
  namesIn(dialog: Locator, section: 'Read by' | 'Delivered to'): Locator {
    return dialog.getByRole('region', { name: new RegExp(`^${section}`) }).getByRole('listitem');
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

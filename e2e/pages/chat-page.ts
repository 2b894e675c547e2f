import { expect, type Locator, type Page } from '@playwright/test';

/** The signed-in screen: sidebar, open conversation, composer, banner. */
export class ChatPage {
  readonly conversationList: Locator;
  readonly contactsTab: Locator;
  readonly chatsTab: Locator;
  readonly messageLog: Locator;
  readonly composer: Locator;
  readonly sendButton: Locator;
  readonly typingIndicator: Locator;
  readonly logoutButton: Locator;
  readonly conversationTitle: Locator;
  readonly connectionBanner: Locator;

  constructor(readonly page: Page) {
    this.conversationList = page.getByRole('list', { name: 'Conversations' });
    // The name carries the number of contact requests waiting: "Contacts 2 requests".
    this.contactsTab = page.getByRole('button', { name: /^Contacts\b/ });
    this.chatsTab = page.getByRole('button', { name: 'Chats', exact: true });
    this.messageLog = page.getByRole('log', { name: 'Messages' });
    this.composer = page.getByLabel('Message', { exact: true });
    this.sendButton = page.getByRole('button', { name: 'Send' });
    this.typingIndicator = page.locator('.typing-indicator');
    this.logoutButton = page.getByRole('button', { name: 'Log out' });
    this.conversationTitle = page.getByRole('heading', { level: 2 });
    this.connectionBanner = page.locator('.connection-banner');
  }

  async expectShown(): Promise<void> {
    await expect(this.conversationList).toBeVisible();
  }

  /**
   * The sidebar button of a conversation. Its accessible name is its text,
   * title first, so a string matches the start of the name; a RegExp is used as given.
   */
  conversation(title: string | RegExp): Locator {
    const name = typeof title === 'string' ? new RegExp(`^${escapeRegExp(title)}\\b`, 'i') : title;
    return this.conversationList.getByRole('button', { name });
  }

  /**
   * Opens a conversation and waits until it is the open one (its button
   * marked current). The list reorders by activity, so a conversation that
   * gets a message or is created while the pointer goes down can move under
   * it and the press lands elsewhere; a person would click again, and so does
   * this. Without the check a test typed into whichever conversation was open
   * before (xss-corpus once sent its whole corpus to the group just created).
   */
  async open(title: string | RegExp): Promise<void> {
    const button = this.conversation(title);
    // By id, not by role: at phone size the open conversation hides the list.
    const id = await button.getAttribute('data-id');
    const opened = this.page.locator(`.conversation-button[data-id="${id}"][aria-current="true"]`);
    await expect(async () => {
      if ((await opened.count()) === 0) await button.click();
      await expect(opened).toHaveCount(1, { timeout: 1_000 });
    }).toPass({ timeout: 10_000 });
    await expect(this.messageLog).toBeVisible();
  }

  async send(text: string): Promise<void> {
    await this.composer.fill(text);
    await this.composer.press('Enter');
    await expect(this.composer).toHaveValue('');
  }

  /** A message row (own or other) whose text contains `text`. */
  message(text: string): Locator {
    return this.messageLog.locator('.row-message').filter({ hasText: text });
  }

  /** The status icon (Pending, Sent, Delivered, Read, Not sent) of one's own message. */
  statusOf(text: string): Locator {
    return this.message(text).getByRole('img');
  }

  messageNodes(): Locator {
    return this.messageLog.locator('.row-message');
  }

  /** Lowest seq among the rendered messages: it drops as older history pages in. */
  async oldestRenderedSeq(): Promise<number> {
    return this.messageLog.evaluate((el) =>
      Math.min(...[...el.querySelectorAll<HTMLElement>('.row-message[data-seq]')].map((r) => Number(r.dataset.seq) || Infinity)),
    );
  }

  /** Seqs of the message rows that are at least partly inside the log's viewport, top to bottom. */
  async visibleSeqs(): Promise<number[]> {
    return this.messageLog.evaluate((el) => {
      const box = el.getBoundingClientRect();
      return [...el.querySelectorAll<HTMLElement>('.row-message[data-seq]')]
        .filter((r) => {
          const b = r.getBoundingClientRect();
          return b.bottom > box.top && b.top < box.bottom;
        })
        .map((r) => Number(r.dataset.seq));
    });
  }

  /** Scrolls the message list and waits until the virtual list has rendered the new position. */
  async scrollMessagesTo(where: 'top' | 'bottom'): Promise<void> {
    await this.messageLog.evaluate(async (el, w) => {
      el.scrollTop = w === 'top' ? 0 : el.scrollHeight;
      const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
      await frame();
      await frame();
    }, where);
  }


  async addContact(username: string): Promise<void> {
    await this.contactsTab.click();
    await this.page.getByLabel('Username to add').fill(username);
    await this.page.getByRole('button', { name: 'Add contact' }).click();
  }

  async messageContact(name: string | RegExp): Promise<void> {
    await this.contactsTab.click();
    await this.page.getByRole('button', { name: typeof name === 'string' ? `Message ${name}` : name }).click();
    await expect(this.messageLog).toBeVisible();
  }

  async logOut(): Promise<void> {
    await this.logoutButton.click();
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

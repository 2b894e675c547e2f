import { expect, type Locator, type Page } from '@playwright/test';

/** The Contacts tab: adding by username, requests both ways, contacts, blocked people. */
export class ContactsPage {
  readonly tab: Locator;
  readonly panel: Locator;
  readonly usernameField: Locator;
  readonly addButton: Locator;
  readonly status: Locator;
  readonly requests: Locator;
  readonly contacts: Locator;
  readonly requested: Locator;
  readonly blocked: Locator;

  constructor(readonly page: Page) {
    // The tab's name carries the number of requests waiting: "Contacts 2 requests".
    this.tab = page.getByRole('button', { name: /^Contacts\b/ });
    this.panel = page.getByRole('region', { name: 'Contacts' });
    this.usernameField = page.getByLabel('Username to add');
    this.addButton = page.getByRole('button', { name: 'Add contact' });
    this.status = this.panel.getByRole('status').first();
    this.requests = page.getByRole('list', { name: /^Contact requests/ });
    this.contacts = page.getByRole('list', { name: 'Your contacts' });
    this.requested = page.getByRole('list', { name: 'Requested' });
    this.blocked = page.getByRole('list', { name: 'Blocked' });
  }

  async show(): Promise<void> {
    await this.tab.click();
    await expect(this.panel).toBeVisible();
  }

  async add(username: string): Promise<void> {
    await this.show();
    await this.usernameField.fill(username);
    await this.addButton.click();
  }

  /** A row of one of the lists, by the person's `Display Name @username`. */
  entry(list: Locator, person: string | RegExp): Locator {
    return list.getByRole('listitem').filter({ hasText: person });
  }

  async accept(person: string): Promise<void> {
    await this.show();
    await this.page.getByRole('button', { name: `Accept ${person}` }).click();
  }

  async decline(person: string): Promise<void> {
    await this.show();
    await this.page.getByRole('button', { name: `Decline ${person}` }).click();
  }

  /** Blocks after saying yes to the confirmation. */
  async block(person: string): Promise<void> {
    await this.show();
    this.page.once('dialog', (dialog) => void dialog.accept());
    await this.page.getByRole('button', { name: `Block ${person}` }).click();
  }

  async unblock(person: string): Promise<void> {
    await this.show();
    await this.page.getByRole('button', { name: `Unblock ${person}` }).click();
  }
}

import { expect, type Locator, type Page } from '@playwright/test';

/**
 * What the conversation-level views add to the open conversation: the group
 * panel (a dialog from the header), the system lines of the history, the
 * "New messages" line with Jump to latest, and a removed member's bar.
 */
export class GroupPage {
  readonly detailsButton: Locator;
  readonly panel: Locator;
  readonly nameField: Locator;
  readonly members: Locator;
  readonly unreadLine: Locator;
  readonly jumpToLatest: Locator;
  readonly membershipBar: Locator;
  private readonly log: Locator;

  constructor(readonly page: Page) {
    this.log = page.getByRole('log', { name: 'Messages' });
    this.detailsButton = page.getByRole('button', { name: 'Group details' });
    this.panel = page.getByRole('dialog', { name: 'Group details' });
    this.nameField = this.panel.getByLabel('Group name');
    this.members = this.panel.getByRole('list', { name: /^Members/ });
    this.unreadLine = this.log.getByText('New messages', { exact: true });
    this.jumpToLatest = page.getByRole('button', { name: /^Jump to latest/ });
    this.membershipBar = page.getByText('You are no longer a member of this group', { exact: true });
  }

  /** A line of the history such as "Alice added Carol" (exact text). */
  systemLine(text: string): Locator {
    return this.log.getByText(text, { exact: true });
  }

  /** The "Pending" mark of one's own change that has not reached the server yet, on its line. */
  pendingMark(text: string): Locator {
    return this.log.locator('.row-system').filter({ hasText: text }).getByRole('img', { name: 'Pending' });
  }

  member(name: string | RegExp): Locator {
    return this.members.getByRole('listitem').filter({ hasText: name });
  }

  async openPanel(): Promise<void> {
    await this.detailsButton.click();
    await expect(this.panel).toBeVisible();
  }

  async closePanel(): Promise<void> {
    await this.panel.getByRole('button', { name: 'Close group details' }).click();
    await expect(this.panel).toBeHidden();
  }

  async rename(title: string): Promise<void> {
    await this.nameField.fill(title);
    await this.panel.getByRole('button', { name: 'Rename', exact: true }).click();
    await expect(this.panel.getByRole('status').first()).toHaveText(`Renamed to “${title}”.`);
  }

  /** Ticks the named contacts under "Add members" and adds them. */
  async addMembers(...names: string[]): Promise<void> {
    for (const name of names) await this.panel.getByRole('checkbox', { name: new RegExp(`^${name}\\b`) }).check();
    await this.panel.getByRole('button', { name: 'Add to group' }).click();
  }

  async removeMember(name: string): Promise<void> {
    await this.panel.getByRole('button', { name: `Remove ${name}` }).click();
  }

  /** Leave group, then the confirmation's Leave. */
  async leave(): Promise<void> {
    await this.panel.getByRole('button', { name: 'Leave group' }).click();
    await this.panel.getByRole('button', { name: 'Leave', exact: true }).click();
    await expect(this.panel).toBeHidden();
  }
}

import { expect, type Locator, type Page } from '@playwright/test';

/** The settings: display name, password, theme, where one is signed in. */
export class SettingsPage {
  readonly openButton: Locator;
  readonly heading: Locator;
  readonly displayName: Locator;
  readonly saveName: Locator;
  readonly currentPassword: Locator;
  readonly newPassword: Locator;
  readonly confirmPassword: Locator;
  readonly changePassword: Locator;
  readonly sessions: Locator;
  readonly signOutOthers: Locator;
  readonly close: Locator;

  constructor(readonly page: Page) {
    this.openButton = page.getByRole('button', { name: 'Settings', exact: true });
    this.heading = page.getByRole('heading', { name: 'Settings', level: 2 });
    this.displayName = page.getByLabel('Display name', { exact: true });
    this.saveName = page.getByRole('button', { name: 'Save name' });
    this.currentPassword = page.getByLabel('Current password');
    this.newPassword = page.getByLabel('New password', { exact: true });
    this.confirmPassword = page.getByLabel('New password again');
    this.changePassword = page.getByRole('button', { name: 'Change password' });
    this.sessions = page.getByRole('list', { name: 'Where you are signed in' });
    this.signOutOthers = page.getByRole('button', { name: 'Sign out all other sessions' });
    this.close = page.getByRole('button', { name: 'Close settings' });
  }

  async open(): Promise<void> {
    await this.openButton.click();
    await expect(this.heading).toBeVisible();
  }

  /** The status line of the form holding `field`. */
  messageOf(field: Locator): Locator {
    return this.page.locator('form', { has: field }).getByRole('status');
  }

  async setDisplayName(name: string): Promise<void> {
    await this.displayName.fill(name);
    await this.saveName.click();
    await expect(this.messageOf(this.displayName)).toContainText('Saved');
  }

  async changePasswordTo(current: string, next: string): Promise<void> {
    await this.currentPassword.fill(current);
    await this.newPassword.fill(next);
    await this.confirmPassword.fill(next);
    await this.changePassword.click();
  }

  /** The sessions that are not this device's. */
  otherSessions(): Locator {
    return this.sessions.getByRole('listitem').filter({ hasNotText: 'This device' });
  }

  theme(label: 'Same as the system' | 'Light' | 'Dark'): Locator {
    return this.page.getByRole('radio', { name: label });
  }
}

import { expect, type Locator, type Page } from '@playwright/test';

/** The login and sign-up form. */
export class LoginPage {
  readonly heading: Locator;
  readonly username: Locator;
  readonly password: Locator;
  readonly displayName: Locator;
  readonly publicComputer: Locator;
  readonly logInTab: Locator;
  readonly signUpTab: Locator;
  readonly alert: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.username = page.getByLabel('Username', { exact: true });
    this.password = page.getByLabel('Password', { exact: true });
    this.displayName = page.getByLabel('Display name (optional)');
    this.publicComputer = page.getByLabel('This is a public computer');
    this.logInTab = page.getByRole('button', { name: 'Log in', exact: true }).first();
    this.signUpTab = page.getByRole('button', { name: 'Sign up', exact: true });
    this.alert = page.getByRole('alert');
  }

  async goto(): Promise<void> {
    await this.page.goto('/');
    await expect(this.username).toBeVisible();
  }

  async logIn(username: string, password: string, options: { publicComputer?: boolean } = {}): Promise<void> {
    await this.username.fill(username);
    await this.password.fill(password);
    if (options.publicComputer) await this.publicComputer.check();
    await this.page.getByRole('button', { name: 'Log in', exact: true }).last().click();
  }

  async signUp(username: string, password: string, displayName?: string): Promise<void> {
    await this.signUpTab.click();
    await expect(this.heading).toHaveText('Create your account');
    await this.username.fill(username);
    if (displayName) await this.displayName.fill(displayName);
    await this.password.fill(password);
    await this.page.getByRole('button', { name: 'Create account' }).click();
  }

  async expectShown(): Promise<void> {
    await expect(this.username).toBeVisible();
  }
}

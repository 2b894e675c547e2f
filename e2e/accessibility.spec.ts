import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { GroupPage } from './pages/group-page';
import { SettingsPage } from './pages/settings-page';

/** WCAG 2.1 A and AA rules, as axe-core checks them. */
async function violations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

test('the login and sign-up forms have no WCAG A/AA violations', async ({ page, loginPage }) => {
  await loginPage.goto();
  expect(await violations(page)).toEqual([]);
  await loginPage.signUpTab.click();
  expect(await violations(page)).toEqual([]);
});

test('the chat, an open conversation and the contacts panel have no WCAG A/AA violations', async ({ signIn }) => {
  const alice = await signIn('alice');
  const page = alice.chat.page;
  expect(await violations(page)).toEqual([]);
  await alice.chat.open('Bob');
  expect(await violations(page)).toEqual([]);
  await alice.chat.contactsTab.click();
  await page.getByText('New group').click();
  expect(await violations(page)).toEqual([]);
});

test('the settings, and the chat in the dark theme, have no WCAG A/AA violations', async ({ signIn }) => {
  const alice = await signIn('alice');
  const page = alice.chat.page;
  const settings = new SettingsPage(page);
  await settings.open();
  await expect(settings.sessions.getByRole('listitem')).toHaveCount(1);
  expect(await violations(page)).toEqual([]);
  await settings.theme('Dark').check();
  expect(await violations(page)).toEqual([]);
  await settings.close.click();
  await alice.chat.open('Bob');
  expect(await violations(page)).toEqual([]);
  await alice.chat.contactsTab.click();
  expect(await violations(page)).toEqual([]);
});

test('the chat can be used with the keyboard alone', async ({ signIn }) => {
  const alice = await signIn('alice');
  const page = alice.chat.page;
  const first = alice.chat.conversationList.getByRole('button').first();
  await first.focus();
  await page.keyboard.press('ArrowDown');
  await expect(alice.chat.conversationList.getByRole('button').nth(1)).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(first).toBeFocused();
  await alice.chat.conversation('Bob').focus();
  await page.keyboard.press('Enter');
  // Opening a conversation puts the cursor in the composer.
  await expect(alice.chat.composer).toBeFocused();
  await page.keyboard.type('Typed without a mouse');
  await page.keyboard.press('Enter');
  await expect(alice.chat.message('Typed without a mouse')).toBeVisible();
});

test('the group panel, its leave confirmation, system lines and a removed member\'s view have no WCAG A/AA violations', async ({ signIn }) => {
  // Three axe runs and a change that goes to the server: more than the default on a busy machine.
  test.setTimeout(120_000);
  const alice = await signIn('alice');
  const page = alice.chat.page;
  await alice.chat.open('Weekend plans');
  const group = new GroupPage(page);
  await group.openPanel();
  expect(await violations(page)).toEqual([]);
  await group.rename(`Renamed ${Date.now()}`);
  await group.panel.getByRole('button', { name: 'Leave group' }).click();
  expect(await violations(page)).toEqual([]);
  await group.panel.getByRole('button', { name: 'Leave', exact: true }).click();
  await expect(group.membershipBar).toBeVisible();
  await expect(group.systemLine('You left')).toBeVisible();
  expect(await violations(page)).toEqual([]);
});

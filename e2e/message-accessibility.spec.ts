import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { MessageActions } from './pages/message-actions';

/** WCAG 2.1 A and AA rules, as axe-core checks them (as e2e/accessibility.spec.ts does). */
async function violations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

test.describe.configure({ timeout: 120_000 });

test('a reply, reactions, an edited message, the menu and every message dialog have no WCAG A/AA violations', async ({ signIn }) => {
  // Six axe runs over a full conversation.
  test.setTimeout(240_000);
  const alice = await signIn('alice');
  await alice.chat.open('Weekend plans');
  const page = alice.chat.page;
  const actions = new MessageActions(alice.chat);
  const stamp = Date.now();
  await actions.reply('Count me in!', `Great, see you there ${stamp}`);
  await actions.react(`Great, see you there ${stamp}`, 'thumbs up');
  await actions.react('Only if we start after 9', 'folded hands');
  await actions.edit(`Great, see you there ${stamp}`, `Great, see you all there ${stamp}`);
  await expect(actions.editedMark(`see you all there ${stamp}`)).toBeVisible();
  expect(await violations(page)).toEqual([]);

  await actions.openMenu(`see you all there ${stamp}`);
  expect(await violations(page)).toEqual([]);
  await page.keyboard.press('Escape');

  await actions.choose('Only if we start after 9', 'React');
  await expect(page.getByRole('menu', { name: 'React with' })).toBeVisible();
  expect(await violations(page)).toEqual([]);
  await page.getByRole('menuitem', { name: 'More emoji' }).click();
  const picker = page.getByRole('dialog', { name: 'Choose a reaction' });
  await expect(picker.getByRole('button', { name: 'rocket', exact: true })).toBeVisible();
  expect(await violations(page)).toEqual([]);
  await page.keyboard.press('Escape');

  const info = await actions.openInfo(`see you all there ${stamp}`);
  expect(await violations(page)).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(info).toBeHidden();

  await actions.choose(`see you all there ${stamp}`, 'Delete for everyone');
  await expect(page.getByRole('dialog', { name: 'Delete for everyone?' })).toBeVisible();
  expect(await violations(page)).toEqual([]);
  await page.keyboard.press('Escape');
});

test('the menu, the reaction picker and the dialogs are used with the keyboard alone', async ({ signIn }) => {
  const alice = await signIn('alice');
  await alice.chat.open('Bob');
  const page = alice.chat.page;
  const text = `Keyboard only ${Date.now()}`;
  await alice.chat.send(text);
  const button = alice.chat.message(text).getByRole('button', { name: 'Message actions' });
  await button.focus();
  await page.keyboard.press('Enter');
  const menu = page.getByRole('menu', { name: 'Message actions' });
  await expect(menu.getByRole('menuitem', { name: 'Reply' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitem', { name: 'React' })).toBeFocused();
  await page.keyboard.press('Enter');
  const quick = page.getByRole('menu', { name: 'React with' });
  await expect(quick.getByRole('menuitemcheckbox', { name: 'thumbs up' })).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  await expect(new MessageActions(alice.chat).reactionChip(text, '❤️')).toHaveAttribute('aria-pressed', 'true');
  await expect(button).toBeFocused();

  // Delete: the dialog keeps the focus inside and Escape cancels.
  await page.keyboard.press('Enter');
  await page.keyboard.press('End');
  await expect(menu.getByRole('menuitem', { name: 'Delete for everyone' })).toBeFocused();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Delete for everyone?' });
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Delete for everyone' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(alice.chat.message(text)).toBeVisible();
});

test('at phone size the menu and the dialogs fit the screen, and the menu opens with a long press', async ({ signIn }) => {
  const alice = await signIn('alice', { viewport: { width: 390, height: 844 } });
  await alice.chat.open('Bob');
  const page = alice.chat.page;
  const actions = new MessageActions(alice.chat);
  const text = `On the phone ${Date.now()}`;
  await alice.chat.send(text);
  const row = alice.chat.message(text);
  await expect(row).toBeVisible();
  const inside = async (name: string, role: 'menu' | 'dialog') => {
    const box = await page.getByRole(role, { name }).boundingBox();
    expect(box).not.toBeNull();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    expect(box!.y + box!.height).toBeLessThanOrEqual(844);
  };
  await actions.openMenu(text);
  await inside('Message actions', 'menu');
  await page.keyboard.press('Escape');
  await actions.choose(text, 'React');
  await inside('React with', 'menu');
  await page.getByRole('menuitem', { name: 'More emoji' }).click();
  await inside('Choose a reaction', 'dialog');
  await page.keyboard.press('Escape');

  // A touch held on the bubble opens the same menu (as a context menu would on a phone).
  const bubble = row.locator('.bubble');
  const box = (await bubble.boundingBox())!;
  await bubble.dispatchEvent('pointerdown', { pointerType: 'touch', clientX: box.x + 10, clientY: box.y + 10, isPrimary: true });
  await expect(page.getByRole('menu', { name: 'Message actions' })).toBeVisible();
  await bubble.dispatchEvent('pointerup', { pointerType: 'touch', clientX: box.x + 10, clientY: box.y + 10, isPrimary: true });
  await inside('Message actions', 'menu');
});

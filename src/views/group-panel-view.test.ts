import { afterEach, describe, expect, it } from 'vitest';
import { AppView } from './app-view';
import { addConversation, createFakeCore, fakeConversation, fakeMessage, type FakeCore } from './testing/fake-core';

const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));

afterEach(() => {
  document.body.innerHTML = '';
});

/** Alice's chat with the group "Weekend plans" (alice, bob, carol) open; dave is a contact outside it. */
async function openGroup(overrides: Parameters<typeof fakeConversation>[0] = {}) {
  const core = createFakeCore();
  core.collections.contacts.add([
    { id: 'u-bob', username: 'bob', displayName: 'Bob', online: true, lastSeenAt: null },
    { id: 'u-carol', username: 'carol', displayName: 'Carol', online: false, lastSeenAt: null },
    { id: 'u-dave', username: 'dave', displayName: 'Dave', online: false, lastSeenAt: null },
    { id: 'u-erin', username: 'erin', displayName: '', online: false, lastSeenAt: null },
  ]);
  const model = addConversation(core, fakeConversation({
    id: 'g1', kind: 'group', title: 'Weekend plans', ownerId: 'u-alice', memberIds: ['u-alice', 'u-bob', 'u-carol'], latestSeq: 1, myReadSeq: 1, ...overrides,
  }), [fakeMessage(1, 'u-bob', 'Hiking on Saturday?', Date.now(), 'g1')]);
  const el = document.createElement('div');
  document.body.appendChild(el);
  new AppView(core, { el }).render();
  await frame();
  (el.querySelector('.conversation-button[data-id="g1"]') as HTMLButtonElement).click();
  await frame();
  return { core, model, el };
}

function openPanel(el: HTMLElement): HTMLDialogElement {
  (el.querySelector('.group-info-button') as HTMLButtonElement).click();
  const dialog = document.querySelector('dialog.group-panel') as HTMLDialogElement;
  expect(dialog.open).toBe(true);
  return dialog;
}

const callsOf = (core: FakeCore, name: string) => core.calls.filter((c) => c.name === name).map((c) => c.args);

describe('the group panel', () => {
  it('opens from the header of a group only, as a labelled modal dialog with focus in the name field', async () => {
    const { el } = await openGroup();
    const button = el.querySelector('.group-info-button') as HTMLButtonElement;
    expect(button.getAttribute('aria-label')).toBe('Group details');
    const dialog = openPanel(el);
    expect(dialog.getAttribute('aria-labelledby')).toBe('group-panel-title');
    expect(document.getElementById('group-panel-title')?.textContent).toBe('Group details');
    expect(document.activeElement).toBe(dialog.querySelector('#group-name-input'));
    (dialog.querySelector('.close-panel') as HTMLButtonElement).click();
    expect(document.querySelector('dialog.group-panel')).toBeNull();
    expect(document.activeElement).toBe(el.querySelector('.group-info-button'));
  });

  it('has no details button in a direct conversation', async () => {
    const { el } = await openGroup({ kind: 'direct', title: '', ownerId: null, memberIds: ['u-alice', 'u-bob'] });
    expect(el.querySelector('.group-info-button')).toBeNull();
  });

  it('lists every member with display name and @username, oneself and the owner marked', async () => {
    const { el } = await openGroup({ memberIds: ['u-alice', 'u-bob', 'u-carol', 'u-stranger'] });
    const dialog = openPanel(el);
    const items = [...dialog.querySelectorAll('.member-item')].map((li) => ({
      name: li.querySelector('.member-name')?.textContent,
      username: li.querySelector('.member-username')?.textContent ?? null,
      owner: li.querySelector('.tag-owner') !== null,
    }));
    expect(items).toEqual([
      { name: 'Alice (you)', username: '@alice', owner: true },
      { name: 'Bob', username: '@bob', owner: false },
      { name: 'Carol', username: '@carol', owner: false },
      { name: 'Someone not in your contacts', username: null, owner: false },
    ]);
    expect(dialog.querySelector('#group-members-heading')?.textContent).toBe('Members (4)');
  });

  it('renames through the outbox, refusing an empty or too long name with a sentence, and shows the change pending in the history', async () => {
    const { core, el } = await openGroup();
    const dialog = openPanel(el);
    const input = dialog.querySelector('#group-name-input') as HTMLInputElement;
    const submit = () => dialog.querySelector('.rename-form')?.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    const status = () => dialog.querySelector('.rename-form .form-message')?.textContent;
    input.value = '   ';
    submit();
    expect(status()).toBe('Give the group a name.');
    input.value = '😀'.repeat(101);
    submit();
    expect(status()).toBe('A group name has at most 100 characters; this one has 101.');
    input.value = 'Weekend plans';
    submit();
    expect(status()).toBe('That is already the group’s name.');
    expect(callsOf(core, 'renameConversation')).toEqual([]);
    // 100 emoji are 200 UTF-16 units: the limit counts characters as the server does.
    input.value = `  ${'🏔'.repeat(100)}  `;
    submit();
    input.value = 'Hiking crew <b>';
    submit();
    expect(callsOf(core, 'renameConversation')).toEqual([['g1', '🏔'.repeat(100)], ['g1', 'Hiking crew <b>']]);
    expect(status()).toBe('Renamed to “Hiking crew <b>”.');
    await frame();
    const line = el.querySelector('.row-system.state-pending:last-child');
    expect(line?.querySelector('.system-text')?.textContent).toBe('You renamed the group to “Hiking crew <b>”');
    expect(line?.querySelector('[role=img]')?.getAttribute('aria-label')).toBe('Pending');
    expect(el.querySelector('.message-window b')).toBeNull();
  });

  it('offers to add only contacts outside the group, several at once', async () => {
    const { core, el, model } = await openGroup();
    const dialog = openPanel(el);
    const boxes = () => [...dialog.querySelectorAll<HTMLInputElement>('.add-members-form input[type=checkbox]')];
    expect(boxes().map((b) => b.closest('label')?.textContent)).toEqual(['Dave @dave', 'erin @erin']);
    const add = dialog.querySelector('.add-members-button') as HTMLButtonElement;
    expect(add.disabled).toBe(true);
    for (const box of boxes()) {
      box.checked = true;
      box.dispatchEvent(new Event('change', { bubbles: true }));
    }
    expect(add.disabled).toBe(false);
    dialog.querySelector('.add-members-form')?.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    expect(callsOf(core, 'addMembers')).toEqual([['g1', ['u-dave', 'u-erin']]]);
    expect(dialog.querySelector('.add-message')?.textContent).toBe('Added Dave, erin.');
    // Once the server's conversation entry has them, they are members and no longer offered.
    model.set({ memberIds: ['u-alice', 'u-bob', 'u-carol', 'u-dave', 'u-erin'] });
    expect(boxes()).toEqual([]);
    expect(dialog.textContent).toContain('All your contacts are in this group.');
    expect(dialog.querySelector('#group-members-heading')?.textContent).toBe('Members (5)');
  });

  it('lets the owner remove a member, and nobody else', async () => {
    const { core, el, model } = await openGroup();
    const dialog = openPanel(el);
    const removeButtons = () => [...dialog.querySelectorAll<HTMLButtonElement>('[data-remove-member]')].map((b) => b.getAttribute('aria-label'));
    expect(removeButtons()).toEqual(['Remove Bob', 'Remove Carol']);
    (dialog.querySelector('[aria-label="Remove Carol"]') as HTMLButtonElement).click();
    expect(callsOf(core, 'removeMember')).toEqual([['g1', 'u-carol']]);
    // Ownership went to bob (alice left and came back, say): no Remove for alice any more.
    model.set({ ownerId: 'u-bob' });
    expect(removeButtons()).toEqual([]);
  });

  it('leaves only after a confirmation, which the owner is told hands the group on', async () => {
    const { core, el } = await openGroup();
    const dialog = openPanel(el);
    (dialog.querySelector('.leave-button') as HTMLButtonElement).click();
    expect(dialog.querySelector('#leave-question')?.textContent).toBe('Leave “Weekend plans”? You keep what is here but get no new messages.');
    expect(dialog.textContent).toContain('the member who has been in it longest becomes its owner');
    expect(document.activeElement).toBe(dialog.querySelector('.leave-cancel'));
    (dialog.querySelector('.leave-cancel') as HTMLButtonElement).click();
    expect(callsOf(core, 'removeMember')).toEqual([]);
    (dialog.querySelector('.leave-button') as HTMLButtonElement).click();
    (dialog.querySelector('.leave-confirm') as HTMLButtonElement).click();
    expect(callsOf(core, 'removeMember')).toEqual([['g1', 'u-alice']]);
    expect(document.querySelector('dialog.group-panel')).toBeNull();
  });
});

describe('a removed member', () => {
  it('keeps the history readable, with a bar instead of the composer, and a panel that only lists', async () => {
    const { el, model } = await openGroup();
    expect(el.querySelector('#composer-input')).not.toBeNull();
    model.set({ memberIds: ['u-bob', 'u-carol'], ownerId: 'u-bob' });
    expect(el.querySelector('#composer-input')).toBeNull();
    expect(el.querySelector('.membership-bar')?.textContent).toBe('You are no longer a member of this group');
    expect(el.querySelector('.row-message .body')?.textContent).toBe('Hiking on Saturday?');
    const dialog = openPanel(el);
    expect((dialog.querySelector('.rename-form') as HTMLElement).hidden).toBe(true);
    expect(dialog.querySelector('.add-members-form, .leave-button, [data-remove-member]')).toBeNull();
    expect(dialog.textContent).toContain('You are no longer a member of this group.');
    // Added back: the composer returns.
    model.set({ memberIds: ['u-bob', 'u-carol', 'u-alice'] });
    expect(el.querySelector('#composer-input')).not.toBeNull();
    expect(el.querySelector('.membership-bar')).toBeNull();
  });
});

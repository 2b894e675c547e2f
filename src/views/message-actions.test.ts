import { afterEach, describe, expect, it } from 'vitest';
import type { MessageView } from '../core/client-core-api';
import { ConversationView } from './conversation-view';
import { addConversation, createFakeCore, fakeConversationOf, fakeMessage, type FakeCore } from './testing/fake-core';

const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
const settle = async () => {
  await new Promise((resolve) => setTimeout(resolve, 0));
  await frame();
  await frame();
};

afterEach(() => {
  document.body.innerHTML = '';
});

const NOW = Date.now();

/** Opens a conversation of alice (the signed-in person) with bob, or the group with bob and carol. */
async function open(messages: MessageView[], options: { group?: boolean; core?: FakeCore } = {}) {
  const core = options.core ?? createFakeCore();
  core.collections.contacts.add([
    { id: 'u-bob', username: 'bob', displayName: 'Bob', online: true, lastSeenAt: null },
    { id: 'u-carol', username: 'carol', displayName: 'Carol', online: false, lastSeenAt: null },
  ]);
  const members = options.group ? ['u-alice', 'u-bob', 'u-carol'] : ['u-alice', 'u-bob'];
  const model = addConversation(core, fakeConversationOf('conv-1', members, { title: options.group ? 'Weekend' : '' }), messages);
  const view = new ConversationView(model, core, () => undefined);
  document.body.appendChild(view.render().el);
  view.attached();
  await settle();
  const el = view.el;
  const row = (text: string) => [...el.querySelectorAll<HTMLElement>('.row-message')].find((r) => r.textContent?.includes(text)) as HTMLElement;
  const field = el.querySelector('#composer-input') as HTMLTextAreaElement;
  const key = (target: Element, key: string, init: KeyboardEventInit = {}) => target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, ...init }));
  const menuItems = () => [...document.querySelectorAll<HTMLElement>('[role=menu] [role^=menuitem]')];
  const openMenu = (text: string) => (row(text).querySelector('.message-menu-button') as HTMLButtonElement).click();
  const choose = (label: string) => menuItems().find((i) => i.textContent === label)?.click();
  const calls = (name: string) => core.calls.filter((c) => c.name === name).map((c) => c.args);
  return { core, view, el, row, field, key, menuItems, openMenu, choose, calls };
}

describe('the message menu', () => {
  it('offers each message what its reader may do, and none on a deleted one', async () => {
    const { row, openMenu, menuItems, key } = await open([
      fakeMessage(1, 'u-bob', 'from bob', NOW - 3000),
      fakeMessage(2, 'u-alice', 'from me', NOW - 2000),
      { ...fakeMessage(3, 'u-alice', '', NOW - 1000), deletedAt: NOW },
    ], { group: true });
    openMenu('from bob');
    expect(menuItems().map((i) => i.textContent)).toEqual(['Reply', 'React']);
    key(document.activeElement as Element, 'Escape');
    openMenu('from me');
    expect(document.querySelector('[role=menu]')?.getAttribute('aria-label')).toBe('Message actions');
    expect(menuItems().map((i) => i.textContent)).toEqual(['Reply', 'React', 'Edit', 'Delete for everyone', 'Info']);
    const deleted = row('This message was deleted');
    expect(deleted.querySelector('.message-menu-button')).toBeNull();
    expect(deleted.querySelector('.reactions')).toBeNull();
  });

  it('is used with the keyboard: the first item has focus, arrows wrap, Escape closes and returns focus', async () => {
    const { row, openMenu, menuItems, key } = await open([fakeMessage(1, 'u-alice', 'mine', NOW)]);
    const button = row('mine').querySelector('.message-menu-button') as HTMLButtonElement;
    button.focus();
    openMenu('mine');
    const items = menuItems();
    expect(document.activeElement).toBe(items[0]);
    key(items[0]!, 'ArrowUp');
    expect(document.activeElement).toBe(items.at(-1));
    key(items.at(-1)!, 'ArrowDown');
    expect(document.activeElement).toBe(items[0]);
    key(items[0]!, 'End');
    expect(document.activeElement?.textContent).toBe('Delete for everyone');
    key(document.activeElement!, 'Escape');
    expect(document.querySelector('[role=menu]')).toBeNull();
    expect(document.activeElement).toBe(button);
  });

  it('opens from a row\'s context menu and from Shift+F10', async () => {
    const { row, menuItems, key } = await open([fakeMessage(1, 'u-bob', 'hello', NOW)]);
    const event = new MouseEvent('contextmenu', { bubbles: true, cancelable: true, clientX: 40, clientY: 50 });
    row('hello').querySelector('.body')!.dispatchEvent(event);
    expect(event.defaultPrevented).toBe(true);
    expect(menuItems().map((i) => i.textContent)).toEqual(['Reply', 'React']);
    key(document.activeElement!, 'Escape');
    key(row('hello').querySelector('.message-menu-button')!, 'F10', { shiftKey: true });
    expect(menuItems()).toHaveLength(2);
  });
});

describe('editing', () => {
  it('happens in the composer: the bar says so, Enter saves, and what was written before comes back', async () => {
    const { field, key, openMenu, choose, calls, el, row } = await open([fakeMessage(1, 'u-alice', 'helo', NOW)]);
    field.value = 'half a thought';
    field.dispatchEvent(new Event('input', { bubbles: true }));
    openMenu('helo');
    choose('Edit');
    const bar = el.querySelector('.composer-bar') as HTMLElement;
    expect(bar.hidden).toBe(false);
    expect(bar.textContent).toContain('Editing message');
    expect(field.value).toBe('helo');
    expect(document.activeElement).toBe(field);
    field.value = 'hello';
    key(field, 'Enter');
    expect(calls('edit')).toEqual([['conv-1', 'm1', 'hello']]);
    expect(calls('send')).toEqual([]);
    expect(field.value).toBe('half a thought');
    expect(bar.hidden).toBe(true);
    await settle();
    // The row changed in place: new text, the "edited" mark, the pending mark until the edit goes out.
    expect(row('hello').querySelector('.body')?.textContent).toBe('hello');
    expect(row('hello').querySelector('.edited-mark')?.textContent).toBe('edited');
    expect(row('hello').querySelector('.change-pending')).not.toBeNull();
  });

  it('starts with the Up arrow in an empty composer on one\'s last message, and Escape cancels it', async () => {
    const { field, key, calls, el } = await open([
      fakeMessage(1, 'u-alice', 'older of mine', NOW - 3000),
      fakeMessage(2, 'u-alice', 'newest of mine', NOW - 2000),
      { ...fakeMessage(3, 'u-alice', '', NOW - 1500), deletedAt: NOW },
      fakeMessage(4, 'u-bob', 'from bob', NOW - 1000),
    ]);
    key(field, 'ArrowUp');
    expect(field.value).toBe('newest of mine');
    expect(el.querySelector('.composer-bar')?.textContent).toContain('Editing message');
    key(field, 'Escape');
    expect(field.value).toBe('');
    expect((el.querySelector('.composer-bar') as HTMLElement).hidden).toBe(true);
    field.value = 'not empty';
    key(field, 'ArrowUp');
    expect(field.value).toBe('not empty');
    expect(calls('edit')).toEqual([]);
  });

  it('shows another screen\'s edit in place, without rebuilding the other rows', async () => {
    const { core, row } = await open([fakeMessage(1, 'u-bob', 'first', NOW - 1000), fakeMessage(2, 'u-bob', 'second', NOW)]);
    const untouched = row('second');
    core.collections.messagesFor('conv-1').get('m1' as never);
    const model = core.collections.messagesFor('conv-1').find((m) => m.get('id') === 'm1')!;
    model.set({ body: 'first, corrected', editedAt: NOW + 5, revision: 3 });
    await settle();
    expect(row('first, corrected').querySelector('.edited-mark')).not.toBeNull();
    expect(row('second')).toBe(untouched);
  });
});

describe('delete for everyone', () => {
  it('asks first in a dialog that traps focus and cancels on Escape, then deletes', async () => {
    const { openMenu, choose, calls, row, key } = await open([fakeMessage(1, 'u-alice', 'regret this', NOW)]);
    openMenu('regret this');
    choose('Delete for everyone');
    const dialog = document.querySelector('[role=dialog]') as HTMLElement;
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(document.getElementById(dialog.getAttribute('aria-labelledby')!)?.textContent).toBe('Delete for everyone?');
    const [cancel, confirm] = [...dialog.querySelectorAll('button')];
    expect(document.activeElement).toBe(cancel);
    key(confirm!, 'Tab');
    confirm!.focus();
    key(confirm!, 'Tab');
    expect(document.activeElement).toBe(cancel);
    key(cancel!, 'Escape');
    await settle();
    expect(document.querySelector('[role=dialog]')).toBeNull();
    expect(calls('deleteMessage')).toEqual([]);

    openMenu('regret this');
    choose('Delete for everyone');
    ([...document.querySelectorAll('[role=dialog] button')].find((b) => b.textContent === 'Delete for everyone') as HTMLButtonElement).click();
    await settle();
    expect(calls('deleteMessage')).toEqual([['conv-1', 'm1']]);
    const deleted = row('This message was deleted');
    expect(deleted.textContent).not.toContain('regret this');
    expect(deleted.querySelector('.message-menu-button')).toBeNull();
  });
});

describe('replies', () => {
  it('quote the message above the composer, then above the sent message, and cancel with the button', async () => {
    const { openMenu, choose, el, field, key, calls, core, row } = await open([fakeMessage(1, 'u-bob', 'Dinner at 8?\nOr 9.', NOW)]);
    openMenu('Dinner at 8?');
    choose('Reply');
    const bar = el.querySelector('.composer-bar') as HTMLElement;
    expect(bar.textContent).toContain('Replying to Bob');
    expect(bar.textContent).toContain('Dinner at 8?');
    expect(bar.textContent).not.toContain('Or 9.');
    (bar.querySelector('[aria-label="Cancel reply"]') as HTMLButtonElement).click();
    expect(bar.hidden).toBe(true);

    openMenu('Dinner at 8?');
    choose('Reply');
    field.value = 'Yes!';
    key(field, 'Enter');
    expect(calls('send')).toEqual([['conv-1', 'Yes!', 'm1']]);
    expect(bar.hidden).toBe(true);
    await settle();
    const quote = row('Yes!').querySelector('.quote') as HTMLElement;
    expect(quote.tagName).toBe('BUTTON');
    expect(quote.textContent).toBe('BobDinner at 8?');
    // The original is deleted later: the quote says so.
    core.collections.messagesFor('conv-1').find((m) => m.get('id') === 'm1')!.set({ body: '', deletedAt: NOW + 1 });
    await settle();
    expect(row('Yes!').querySelector('.quote')?.textContent).toBe('BobDeleted message');
  });

  it('fetch an original this device does not hold, quote one the person cannot see neutrally, and lead to the original', async () => {
    const core = createFakeCore();
    core.remote.set('m1', fakeMessage(1, 'u-bob', 'the very first', NOW - 9000));
    const { row, calls } = await open([
      { ...fakeMessage(50, 'u-bob', 'about that', NOW - 1000), replyTo: 'm1' },
      { ...fakeMessage(51, 'u-carol', 'before my time', NOW), replyTo: 'm0' },
    ], { core, group: true });
    await settle();
    expect(calls('ensureMessage')).toEqual(expect.arrayContaining([['conv-1', 'm1'], ['conv-1', 'm0']]));
    expect(row('about that').querySelector('.quote')?.textContent).toBe('Bobthe very first');
    const hidden = row('before my time').querySelector('.quote') as HTMLElement;
    expect(hidden.tagName).toBe('SPAN');
    expect(hidden.textContent).toBe('Earlier message');
    (row('about that').querySelector('.quote') as HTMLButtonElement).click();
    await settle();
    expect(row('the very first').classList.contains('is-highlighted')).toBe(true);
  });
});

describe('reactions', () => {
  it('show as chips naming who reacted, and a chip toggles one\'s own', async () => {
    const { row, calls } = await open([{ ...fakeMessage(1, 'u-bob', 'news', NOW), reactions: { '👍': ['u-bob', 'u-alice'], '😮': ['u-carol'] } }], { group: true });
    const chips = [...row('news').querySelectorAll<HTMLButtonElement>('.reaction-chip')];
    expect(chips.map((c) => c.getAttribute('aria-label'))).toEqual(['👍 2: You and Bob', '😮 1: Carol']);
    expect(chips.map((c) => c.getAttribute('aria-pressed'))).toEqual(['true', 'false']);
    expect(chips[0]?.title).toBe('You and Bob');
    chips[0]!.focus();
    chips[0]!.click();
    await settle();
    // The row was drawn again with the change; focus stayed on the chip that was pressed.
    expect(document.activeElement).toBe(row('news').querySelector('[data-emoji="👍"]'));
    (row('news').querySelector('[data-emoji="😮"]') as HTMLButtonElement).click();
    expect(calls('react')).toEqual([['conv-1', 'm1', '👍', false], ['conv-1', 'm1', '😮', true]]);
    await settle();
    expect([...row('news').querySelectorAll('.reaction-chip')].map((c) => c.getAttribute('aria-label'))).toEqual(['👍 1: Bob', '😮 2: You and Carol']);
  });

  it('are picked from six common ones, marked when given, or from the full set by name', async () => {
    const { openMenu, choose, menuItems, calls, row } = await open([{ ...fakeMessage(1, 'u-bob', 'news', NOW), reactions: { '❤️': ['u-alice'] } }]);
    openMenu('news');
    choose('React');
    expect(document.querySelector('[role=menu]')?.getAttribute('aria-label')).toBe('React with');
    const items = menuItems();
    expect(items.map((i) => i.getAttribute('aria-label'))).toEqual(['thumbs up', 'red heart', 'face with tears of joy', 'face with open mouth', 'crying face', 'folded hands', 'More emoji']);
    expect(items[1]?.getAttribute('role')).toBe('menuitemcheckbox');
    expect(items[1]?.getAttribute('aria-checked')).toBe('true');
    items[1]!.click();
    expect(calls('react')).toEqual([['conv-1', 'm1', '❤️', false]]);
    await settle();

    openMenu('news');
    choose('React');
    menuItems().at(-1)!.click();
    const dialog = document.querySelector('[role=dialog]') as HTMLElement;
    expect(dialog.textContent).toContain('Choose a reaction');
    await expect.poll(() => dialog.querySelectorAll('.emoji-option').length, { timeout: 5000 }).toBeGreaterThan(1000);
    const search = dialog.querySelector('input[type=search]') as HTMLInputElement;
    expect(document.activeElement).toBe(search);
    search.value = 'rocket';
    search.dispatchEvent(new Event('input', { bubbles: true }));
    const found = [...dialog.querySelectorAll<HTMLButtonElement>('.emoji-option')];
    expect(found.map((b) => b.textContent)).toEqual(['🚀']);
    found[0]!.click();
    expect(calls('react').at(-1)).toEqual(['conv-1', 'm1', '🚀', true]);
    expect(document.querySelector('[role=dialog]')).toBeNull();
    await settle();
    expect(row('news').querySelector('[data-emoji="🚀"]')?.getAttribute('aria-pressed')).toBe('true');
  });
});

describe('seen by', () => {
  it('lists who read and who has it delivered while open, live, and stops watching when closed', async () => {
    const { openMenu, choose, calls, core } = await open([fakeMessage(7, 'u-alice', 'plans?', NOW)], { group: true });
    core.positions.set('conv-1', { 'u-alice': { deliveredSeq: 7, readSeq: 7 }, 'u-bob': { deliveredSeq: 7, readSeq: 7 }, 'u-carol': { deliveredSeq: 7, readSeq: 3 } });
    openMenu('plans?');
    choose('Info');
    const dialog = document.querySelector('[role=dialog]') as HTMLElement;
    const list = (heading: string) => [...dialog.querySelectorAll('section')].find((s) => s.querySelector('h3')?.textContent?.startsWith(heading));
    expect(calls('watchReceipts')).toEqual([['conv-1']]);
    expect(list('Read by')?.querySelector('h3')?.textContent).toBe('Read by (1)');
    expect([...list('Read by')!.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['Bob']);
    expect([...list('Delivered to')!.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['Carol']);
    core.positions.set('conv-1', { ...core.positions.get('conv-1'), 'u-carol': { deliveredSeq: 8, readSeq: 8 } });
    core.dispatch.trigger('receipts:change', 'conv-1');
    expect([...list('Read by')!.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['Bob', 'Carol']);
    expect(list('Delivered to')?.textContent).toContain('Nobody else is waiting to read it.');
    ([...dialog.querySelectorAll('button')].find((b) => b.textContent === 'Close') as HTMLButtonElement).click();
    expect(calls('stopWatchingReceipts')).toEqual([['conv-1']]);
    expect(document.querySelector('[role=dialog]')).toBeNull();
  });
});

describe('pending and failed changes', () => {
  it('mark a change not yet sent, and give a refused one its sentence with Retry and Dismiss', async () => {
    const { row, calls } = await open([
      { ...fakeMessage(1, 'u-alice', 'waiting', NOW - 1000), pendingChanges: [{ clientMessageId: 'ch1', kind: 'edit', state: 'pending' }] },
      { ...fakeMessage(2, 'u-alice', 'refused', NOW), pendingChanges: [{ clientMessageId: 'ch2', kind: 'reaction', state: 'failed', error: { code: 'GONE', message: 'm2 is deleted' } }] },
      { ...fakeMessage(3, 'u-alice', 'removed', NOW), pendingChanges: [{ clientMessageId: 'ch3', kind: 'edit', state: 'failed', error: { code: 'FORBIDDEN', message: 'not a member' } }] },
    ]);
    expect(row('waiting').querySelector('.change-pending')?.textContent).toBe('pending');
    expect(row('refused').querySelector('.change-pending')).toBeNull();
    expect(row('refused').querySelector('.failed-change')?.textContent).toContain('This message was deleted before your change arrived.');
    expect(row('removed').querySelector('.failed-change')?.textContent).toContain('You are no longer a member of this conversation.');
    (row('refused').querySelector('[data-retry-change]') as HTMLButtonElement).click();
    (row('removed').querySelector('[data-dismiss-change]') as HTMLButtonElement).click();
    expect(calls('retry')).toEqual([['ch2']]);
    expect(calls('dismiss')).toEqual([['ch3']]);
  });
});

describe('hostile text in the new parts', () => {
  it('stays text in quotes, the composer bar and reaction names', async () => {
    const core = createFakeCore();
    const payload = '<img src=x onerror="window.pwned=1">';
    core.collections.contacts.add({ id: 'u-eve', username: 'eve', displayName: payload, online: false, lastSeenAt: null });
    const { row, openMenu, choose, el } = await open([
      fakeMessage(1, 'u-bob', payload, NOW - 1000),
      { ...fakeMessage(2, 'u-bob', 'reply', NOW), replyTo: 'm1', reactions: { '👍': ['u-eve'] } },
    ], { core });
    expect(row('reply').querySelector('.quote-text')?.textContent).toBe(payload);
    expect(row('reply').querySelector('.reaction-chip')?.getAttribute('aria-label')).toBe(`👍 1: ${payload}`);
    openMenu(payload);
    choose('Reply');
    expect(el.querySelector('.composer-bar-quote')?.textContent).toBe(payload);
    expect(document.querySelector('img')).toBeNull();
  });
});

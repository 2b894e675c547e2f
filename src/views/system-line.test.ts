import Backbone from 'backbone';
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageView } from '../core/client-core-api';
import { MessageListView } from './message-list-view';
import { buildRows } from './message-rows';
import { joinNames } from './people';
import { systemLineText, type SystemEntry } from './system-line';
import { fakeMessage, fakeSystemEntry } from './testing/fake-core';
import type { MessageModel } from './view-core';

const NAMES: Record<string, string> = { 'u-ann': 'Ann', 'u-ben': 'Ben', 'u-cy': 'Cy', 'u-dee': 'Dee', 'u-eve': 'Eve' };
/** Alice is oneself; u-zed is nobody she knows. */
const lookup = (id: string) => ({ name: id === 'u-alice' ? 'Alice' : (NAMES[id] ?? null), self: id === 'u-alice' });
const text = (senderId: string, change: Parameters<typeof fakeSystemEntry>[2]) => systemLineText(fakeSystemEntry(5, senderId, change, 0) as unknown as SystemEntry, lookup);

afterEach(() => {
  document.body.innerHTML = '';
});

describe('systemLineText', () => {
  it('words additions, removals, leaving and renames with names from the contacts', () => {
    expect(text('u-ann', { added: ['u-ben', 'u-cy'] })).toBe('Ann added Ben and Cy');
    expect(text('u-ann', { added: ['u-ben'] })).toBe('Ann added Ben');
    expect(text('u-ann', { removed: ['u-ben'] })).toBe('Ann removed Ben');
    expect(text('u-ben', { removed: ['u-ben'] })).toBe('Ben left');
    expect(text('u-ann', { title: 'Hiking crew' })).toBe('Ann renamed the group to “Hiking crew”');
  });

  it('says You and you for oneself, and someone for an id that is no contact', () => {
    expect(text('u-alice', { added: ['u-ben'] })).toBe('You added Ben');
    expect(text('u-ann', { added: ['u-alice', 'u-zed'] })).toBe('Ann added you and someone');
    expect(text('u-alice', { removed: ['u-alice'] })).toBe('You left');
    expect(text('u-zed', { removed: ['u-zed'] })).toBe('Someone left');
    expect(text('u-zed', { title: 'x' })).toBe('Someone renamed the group to “x”');
  });

  it('keeps a bulk addition to one short line', () => {
    expect(text('u-ann', { added: ['u-ben', 'u-cy', 'u-dee', 'u-eve', 'u-zed', 'u-alice'] })).toBe('Ann added Ben, Cy, Dee and 3 others');
    expect(joinNames(['A', 'B', 'C', 'D'])).toBe('A, B, C and D');
  });
});

describe('system lines in the message list', () => {
  function listOf(messages: MessageView[]) {
    const collection = new Backbone.Collection<MessageModel>(messages);
    const list = new MessageListView(collection, {
      selfId: 'u-alice', isGroup: true, senderName: (id) => NAMES[id] ?? 'Unknown', stateOf: (m) => m.state, person: lookup,
    }, async () => false);
    document.body.appendChild(list.el);
    list.render();
    return { list, collection };
  }

  it('are centred lines without bubble or menu, between the messages, with hostile titles as text', () => {
    const now = Date.now();
    const { list } = listOf([
      fakeMessage(1, 'u-ann', 'hello', now),
      fakeSystemEntry(2, 'u-ann', { added: ['u-ben'] }, now),
      fakeSystemEntry(3, 'u-ben', { title: '<img src=x onerror=alert(1)>' }, now),
      fakeMessage(4, 'u-ann', 'again', now),
    ]);
    const rows = [...list.el.querySelectorAll('.message-window > .row:not(.row-day):not(.row-start)')];
    expect(rows.map((r) => r.className.split(' ').find((c) => c === 'row-message' || c === 'row-system'))).toEqual(['row-message', 'row-system', 'row-system', 'row-message']);
    expect(rows.map((r) => r.querySelector('.system-text')?.textContent ?? r.querySelector('.body')?.textContent)).toEqual([
      'hello', 'Ann added Ben', 'Ben renamed the group to “<img src=x onerror=alert(1)>”', 'again',
    ]);
    const system = list.el.querySelectorAll('.row-system');
    for (const row of system) expect(row.querySelector('.bubble, button')).toBeNull();
    expect(list.el.querySelector('.message-window img')).toBeNull();
    list.remove();
  });

  it('end a bubble group: the message after one shows its sender again', () => {
    const now = Date.now();
    const rows = buildRows([fakeMessage(1, 'u-ann', 'a', now), fakeSystemEntry(2, 'u-ann', { title: 't' }, now), fakeMessage(3, 'u-ann', 'b', now)]);
    expect(rows.filter((r) => r.kind === 'message').map((r) => r.kind === 'message' && r.firstOfGroup)).toEqual([true, true, true]);
  });

  it('show one\'s own change as pending until the server has it, and a refused one with Retry and Dismiss', () => {
    const now = Date.now();
    const pending = { ...fakeSystemEntry(2, 'u-alice', { removed: ['u-ben'] }, now), seq: null, state: 'pending' as const };
    const { list, collection } = listOf([fakeMessage(1, 'u-ann', 'hello', now), pending]);
    const row = () => list.el.querySelector('.row-system') as HTMLElement;
    expect(row().classList.contains('state-pending')).toBe(true);
    expect(row().querySelector('[role=img]')?.getAttribute('aria-label')).toBe('Pending');
    collection.at(1).set({ state: 'failed', error: { code: 'FORBIDDEN', message: 'You are no longer a member of this conversation.' } });
    list.render();
    expect(row().querySelector('.system-failed')?.textContent).toBe('Not done: You are no longer a member of this conversation.RetryDismiss');
    expect(row().querySelector('[data-system-retry]')?.getAttribute('data-system-retry')).toBe('cm2');
    expect(row().querySelector('[data-system-dismiss]')?.getAttribute('data-system-dismiss')).toBe('cm2');
    list.remove();
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { AppView } from './app-view';
import { NotificationSettingsView } from './notification-settings-view';
import { addConversation, createFakeCore, fakeMessage } from './testing/fake-core';

/** The notification parts of the views: the prompt bar, the settings switch, the mute switch and a click on a notification. */
const conversation = {
  id: 'conv-1', kind: 'direct' as const, title: '', ownerId: null, memberIds: ['u-alice', 'u-bob'], latestSeq: 2, updatedAt: Date.now(),
  members: { 'u-alice': { joinedSeq: 1 }, 'u-bob': { joinedSeq: 1 } },
  myDeliveredSeq: 2, myReadSeq: 0, deliveredToAllSeq: 1, readByAllSeq: 1,
};

afterEach(() => {
  document.body.innerHTML = '';
});

function mount(core = createFakeCore()) {
  const el = document.createElement('div');
  document.body.appendChild(el);
  new AppView(core, { el }).render();
  return { core, el };
}

const flush = () => new Promise((r) => setTimeout(r, 0));
const frame = () => new Promise((r) => requestAnimationFrame(r));

describe('the notification prompt bar', () => {
  it('asks nothing by itself; "Turn on notifications" asks from the click and the bar goes', async () => {
    const { core, el } = mount();
    const bar = el.querySelector<HTMLElement>('.notify-prompt')!;
    expect(bar.hidden).toBe(false);
    expect(core.calls.map((c) => c.name)).not.toContain('enableNotifications');
    el.querySelector<HTMLButtonElement>('.notify-enable')!.click();
    await flush();
    expect(core.calls.map((c) => c.name)).toContain('enableNotifications');
    expect(bar.hidden).toBe(true);
  });

  it('"Not now" hides it without asking', async () => {
    const { core, el } = mount();
    el.querySelector<HTMLButtonElement>('.notify-later')!.click();
    await flush();
    expect(core.calls.map((c) => c.name)).toEqual(['dismissPrompt']);
    expect(el.querySelector<HTMLElement>('.notify-prompt')!.hidden).toBe(true);
  });
});

describe('the settings switch', () => {
  it('is a section of Settings', () => {
    const { el } = mount();
    el.querySelector<HTMLButtonElement>('.settings-button')!.click();
    const section = el.querySelector<HTMLElement>('.settings .notification-settings')!;
    expect(section).not.toBeNull();
    expect(section.querySelector('input[name=notifications]')).not.toBeNull();
  });

  it('turns notifications on from the click and off again', async () => {
    const core = createFakeCore();
    const view = new NotificationSettingsView(core).render();
    document.body.append(view.el);
    const box = view.el.querySelector<HTMLInputElement>('input[name=notifications]')!;
    expect(box.checked).toBe(false);
    box.checked = true;
    box.dispatchEvent(new Event('change', { bubbles: true }));
    await flush();
    expect(view.el.querySelector<HTMLInputElement>('input[name=notifications]')!.checked).toBe(true);
    const again = view.el.querySelector<HTMLInputElement>('input[name=notifications]')!;
    again.checked = false;
    again.dispatchEvent(new Event('change', { bubbles: true }));
    await flush();
    expect(core.calls.map((c) => c.name)).toEqual(['enableNotifications', 'disableNotifications']);
    expect(view.el.querySelector<HTMLInputElement>('input[name=notifications]')!.checked).toBe(false);
  });
});

describe('mute and a click on a notification', () => {
  it('a click on a notification opens its conversation; its header mutes it, and the list dims its count', async () => {
    const core = createFakeCore();
    addConversation(core, conversation, [fakeMessage(1, 'u-bob', 'hi', Date.now()), fakeMessage(2, 'u-bob', 'there', Date.now())]);
    const { el } = mount(core);
    core.dispatch.trigger('notification:open', { conversationId: 'conv-1' });
    expect(el.querySelector('.conversation-view, section.conversation')).not.toBeNull();
    const mute = el.querySelector<HTMLButtonElement>('.mute-button')!;
    expect(mute.getAttribute('aria-pressed')).toBe('false');
    mute.click();
    await flush();
    await frame();
    expect(core.calls.find((c) => c.name === 'setMuted')?.args).toEqual(['conv-1', true]);
    expect(el.querySelector('.mute-button')!.getAttribute('aria-pressed')).toBe('true');
    const item = el.querySelector('.conversation-item')!;
    expect(item.classList.contains('is-muted')).toBe(true);
    expect(item.querySelector('.unread-badge')?.textContent).toBe('2 unread');
    expect(item.textContent).toContain('muted');
  });
});

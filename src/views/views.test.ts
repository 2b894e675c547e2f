import { afterEach, describe, expect, it, vi } from 'vitest';
import { BodySchema, DEFAULT_LIMITS, ProtocolError } from '../protocol';
import { AppView } from './app-view';
import { ComposerView, COUNTER_FROM } from './composer-view';
import { addConversation, createFakeCore, fakeMessage } from './testing/fake-core';

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
  const app = new AppView(core, { el }).render();
  return { core, app, el };
}

describe('AppView', () => {
  it('shows the login form without a session and reports bad credentials', () => {
    const { core, el } = mount(createFakeCore({ user: null }));
    expect(el.querySelector('input[name=username]')).not.toBeNull();
    core.dispatch.trigger('login:failed', { reason: 'BAD_CREDENTIALS' });
    expect(el.querySelector('[role=alert]')?.textContent).toBe('Wrong username or password.');
  });

  it('paints the conversation list whole at once: the rows of the first paint are the ones still shown frames later', async () => {
    const core = createFakeCore();
    const now = Date.now();
    for (let i = 0; i < 5; i++) addConversation(core, { ...conversation, id: `conv-${i}`, updatedAt: 0 }, [fakeMessage(1, 'u-bob', `hello ${i}`, now - i)]);
    const { el } = mount(core);
    const firstPaint = [...el.querySelectorAll('.conversation-button .conversation-main')];
    expect(firstPaint.map((row) => row.querySelector('.conversation-preview')?.textContent)).toEqual(['hello 0', 'hello 1', 'hello 2', 'hello 3', 'hello 4']);
    await new Promise((r) => requestAnimationFrame(r));
    await new Promise((r) => requestAnimationFrame(r));
    // Nothing was painted a second time: each row's contents are still the nodes of the first paint.
    const later = [...el.querySelectorAll('.conversation-button .conversation-main')];
    expect(later).toHaveLength(5);
    expect(later.every((row, i) => row === firstPaint[i])).toBe(true);
  });

  it('keeps keyboard focus on a conversation while the list re-renders for a new message', async () => {
    const core = createFakeCore();
    // One clock reading: the order (newest first) must not depend on the clock ticking between the three.
    const now = Date.now();
    for (let i = 0; i < 3; i++) addConversation(core, { ...conversation, id: `conv-${i}`, updatedAt: 0 }, [fakeMessage(1, 'u-bob', `hello ${i}`, now - i)]);
    const { el } = mount(core);
    await new Promise((r) => requestAnimationFrame(r));
    const buttons = el.querySelectorAll<HTMLButtonElement>('.conversation-button');
    buttons[0]!.focus();
    buttons[0]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    expect(document.activeElement).toBe(buttons[1]);
    core.dispatch.trigger('store:change:messages', []);
    await new Promise((r) => requestAnimationFrame(r));
    await new Promise((r) => requestAnimationFrame(r));
    expect(document.activeElement).toBe(buttons[1]);
    expect(document.activeElement?.textContent).toContain('hello 1');
  });

  it('lists conversations with preview and unread count, and renders hostile text literally', async () => {
    const core = createFakeCore();
    core.collections.contacts.add({ id: 'u-bob', username: 'bob', displayName: 'Bob', online: true, lastSeenAt: null });
    const now = Date.now();
    addConversation(core, conversation, [
      fakeMessage(1, 'u-alice', 'hi', now - 1000),
      fakeMessage(2, 'u-bob', '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>', now),
    ]);
    const { el } = mount(core);
    await new Promise((r) => requestAnimationFrame(r));
    const item = el.querySelector('.conversation-button');
    expect(item?.querySelector('.conversation-title')?.textContent).toBe('Bob');
    expect(item?.querySelector('.unread-badge')?.textContent).toBe('1 unread');
    expect(item?.querySelector('.conversation-preview')?.textContent).toContain('<img src=x');
    (item as HTMLButtonElement).click();
    await new Promise((r) => requestAnimationFrame(r));
    const log = el.querySelector('[role=log]');
    expect(log).not.toBeNull();
    expect(el.querySelector('.message-window img, .message-window script')).toBeNull();
    expect(core.calls.some((c) => c.name === 'setVisibleConversation' && c.args[0] === 'conv-1')).toBe(true);
  });

  it('shows the login form with a notice when the session ends', () => {
    const { core, el } = mount();
    core.dispatch.trigger('session:ended', { reason: 'expired' });
    expect(el.querySelector('[role=alert]')?.textContent).toBe('Your session has expired. Please log in again.');
  });
});

/** The outbox's refusal: the send action checks the body against the protocol's schema. */
function sendChecked(sent: string[]) {
  return (body: string): void => {
    const checked = BodySchema.safeParse(body);
    if (!checked.success) throw new ProtocolError('INVALID_PAYLOAD', `body: ${checked.error.issues[0]?.message ?? 'invalid'}`);
    sent.push(body);
  };
}

describe('ComposerView', () => {
  it('sends on Enter, keeps Shift+Enter for new lines, and shows the counter near the limit', () => {
    const sent: string[] = [];
    const composer = new ComposerView(sendChecked(sent), () => undefined).render();
    document.body.appendChild(composer.el);
    const input = composer.el.querySelector('textarea') as HTMLTextAreaElement;
    const counter = composer.el.querySelector('.composer-counter') as HTMLElement;
    input.value = 'x'.repeat(COUNTER_FROM - 1);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    expect(counter.hidden).toBe(true);
    input.value = 'x'.repeat(4001);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    expect(counter.hidden).toBe(false);
    expect(counter.textContent).toBe('1 characters too many');
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(sent).toEqual([]);
    input.value = ' hello ';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true, bubbles: true }));
    expect(sent).toEqual([]);
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(sent).toEqual(['hello']);
    expect(input.value).toBe('');
    composer.remove();
  });

  it('leaves the verdict on a body to the send action: a refused one stays in the field, with the counter saying why', () => {
    const offered: string[] = [];
    const sent: string[] = [];
    const check = sendChecked(sent);
    const composer = new ComposerView((body) => {
      offered.push(body);
      check(body);
    }, () => undefined).render();
    document.body.appendChild(composer.el);
    const input = composer.el.querySelector('textarea') as HTMLTextAreaElement;
    input.value = 'y'.repeat(DEFAULT_LIMITS.maxBodyLength + 2);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(offered).toHaveLength(1);
    expect(sent).toEqual([]);
    expect(input.value).toHaveLength(DEFAULT_LIMITS.maxBodyLength + 2);
    expect(composer.el.querySelector('.composer-counter')?.textContent).toBe('2 characters too many');
    composer.remove();
  });
});

describe('drafts', () => {
  it('are saved as the person pauses, not at every keystroke', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const core = createFakeCore();
      const composer = new ComposerView(() => undefined, () => undefined, () => core.collections.draftFor('conv-1')).render();
      const input = composer.el.querySelector('textarea') as HTMLTextAreaElement;
      for (const text of ['h', 'he', 'hel', 'hello']) {
        input.value = text;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        vi.advanceTimersByTime(100);
      }
      expect(core.calls.filter((c) => c.name.endsWith('draft'))).toEqual([]);
      vi.advanceTimersByTime(1000);
      expect(core.calls.filter((c) => c.name.endsWith('draft'))).toEqual([{ name: 'update draft', args: ['conv-1'] }]);
      expect(core.collections.draftFor('conv-1').get('body')).toBe('hello');
      composer.remove();
    } finally {
      vi.useRealTimers();
    }
  });

  it('keep what was written in a conversation when another is opened, and go when it is sent', async () => {
    const core = createFakeCore();
    addConversation(core, conversation, [fakeMessage(1, 'u-bob', 'first', Date.now())]);
    addConversation(core, { ...conversation, id: 'conv-2', updatedAt: 0 }, []);
    const { el } = mount(core);
    await new Promise((r) => requestAnimationFrame(r));
    const open = (id: string) => (el.querySelector(`.conversation-button[data-id="${id}"]`) as HTMLButtonElement).click();
    const field = () => el.querySelector('#composer-input') as HTMLTextAreaElement;
    open('conv-1');
    field().value = 'half a thought';
    field().dispatchEvent(new Event('input', { bubbles: true }));
    open('conv-2');
    expect(field().value).toBe('');
    open('conv-1');
    expect(field().value).toBe('half a thought');
    field().dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(field().value).toBe('');
    expect(core.calls.filter((c) => c.name.endsWith('draft') || c.name === 'send').map((c) => [c.name, ...c.args])).toEqual([
      ['update draft', 'conv-1'],
      ['send', 'conv-1', 'half a thought'],
      ['delete draft', 'conv-1'],
    ]);
    open('conv-2');
    open('conv-1');
    expect(field().value).toBe('');
  });
});

describe('MessageListView', () => {
  it('keeps the DOM bounded for 10,000 messages and renders bodies as text', async () => {
    const { MessageListView } = await import('./message-list-view');
    const Backbone = (await import('backbone')).default;
    const start = Date.now() - 10_000 * 60_000;
    const collection = new Backbone.Collection(
      Array.from({ length: 10_000 }, (_, i) => fakeMessage(i + 1, i % 2 ? 'u-alice' : 'u-bob', `<b>message ${i + 1}</b>`, start + i * 60_000)),
    );
    const list = new MessageListView(collection as never, {
      selfId: 'u-alice', isGroup: false, senderName: () => 'Bob', stateOf: (m) => m.state,
    }, async () => false);
    document.body.appendChild(list.el);
    list.render();
    const rows = list.el.querySelectorAll('.row-message');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(150);
    expect(list.el.querySelector('.message-window b')).toBeNull();
    // happy-dom has no layout, so the window sits at the top.
    expect(list.el.textContent).toContain('<b>message 1</b>');
    list.remove();
  });
  it('shows the rows in the messages\' one order: an older page added later goes above, echoes stay last', async () => {
    const { MessageListView } = await import('./message-list-view');
    const core = createFakeCore();
    const now = Date.now();
    const collection = core.collections.messagesFor('conv-1');
    collection.add([fakeMessage(3, 'u-bob', 'three', now), { ...fakeMessage(9, 'u-alice', 'echo', now + 1), seq: null, state: 'pending' as const }]);
    const list = new MessageListView(collection, { selfId: 'u-alice', isGroup: false, senderName: () => 'Bob', stateOf: (m) => m.state }, async () => false);
    document.body.appendChild(list.el);
    list.render();
    collection.add([fakeMessage(2, 'u-bob', 'two', now), fakeMessage(1, 'u-bob', 'one', now)]);
    await new Promise((r) => requestAnimationFrame(r));
    expect([...list.el.querySelectorAll('.row-message .body')].map((body) => body.textContent)).toEqual(['one', 'two', 'three', 'echo']);
    list.remove();
  });
});

describe('failed messages', () => {
  it('offer Retry, which calls the outbox, and Delete, which destroys the echo and takes its row away', async () => {
    const core = createFakeCore();
    const failed = { ...fakeMessage(1, 'u-alice', 'did not go', Date.now()), seq: null, state: 'failed' as const, error: { code: 'FORBIDDEN' as const, message: 'you left this conversation' } };
    addConversation(core, conversation, [failed]);
    const { el } = mount(core);
    await new Promise((r) => requestAnimationFrame(r));
    (el.querySelector('.conversation-button') as HTMLButtonElement).click();
    await new Promise((r) => requestAnimationFrame(r));
    const row = el.querySelector('.row-message.state-failed');
    expect(row?.querySelector('[role=img]')?.getAttribute('aria-label')).toBe('Not sent');
    expect(row?.textContent).toContain('Not sent: you left this conversation');
    (row?.querySelector('[data-retry]') as HTMLButtonElement).click();
    (row?.querySelector('[data-discard]') as HTMLButtonElement).click();
    expect(core.calls.filter((c) => c.name === 'retry' || c.name === 'delete')).toEqual([
      { name: 'retry', args: ['cm1'] },
      { name: 'delete', args: ['cm1'] },
    ]);
    await new Promise((r) => requestAnimationFrame(r));
    expect(el.querySelector('.row-message')).toBeNull();
  });
});

describe('loginFailureText', () => {
  it('says how long to wait when the server said so', async () => {
    const { loginFailureText } = await import('./login-view');
    expect(loginFailureText({ reason: 'THROTTLED', retryAfterMs: 40_000 })).toBe('Too many attempts. Please try again in 40 seconds.');
    expect(loginFailureText({ reason: 'THROTTLED', retryAfterMs: 1000 })).toBe('Too many attempts. Please try again in 1 second.');
    expect(loginFailureText({ reason: 'THROTTLED', retryAfterMs: 14 * 60_000 + 1 })).toBe('Too many attempts. Please try again in 15 minutes.');
    expect(loginFailureText({ reason: 'THROTTLED' })).toBe('Too many failed attempts. Please wait a few minutes and try again.');
    expect(loginFailureText({ reason: 'BAD_CREDENTIALS' })).toBe('Wrong username or password.');
  });
});

describe('signupErrorText', () => {
  it('words each refusal for a person', async () => {
    const { signupErrorText } = await import('./login-view');
    expect(signupErrorText({ code: 'CONFLICT' })).toBe('That username is already taken.');
    expect(signupErrorText({ code: 'OFFLINE', message: 'x' })).toMatch(/Cannot reach the server/);
    expect(signupErrorText(new Error('boom'))).toBe('Could not create the account. Please try again.');
  });
});

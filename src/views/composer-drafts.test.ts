import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ComposerView, TYPING_QUIET_MS } from './composer-view';
import { createFakeCore, type FakeCore } from './testing/fake-core';

/**
 * The composer following its conversation's draft when the person's other
 * tab changes it (the data layer sets the draft model from the store's
 * change; here the test does), without ever writing over what is being typed.
 */
let core: FakeCore;
let composer: ComposerView;
let input: HTMLTextAreaElement;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  core = createFakeCore();
  core.collections.draftFor('conv-1').set({ body: 'from before', updatedAt: 1 });
  composer = new ComposerView(() => undefined, () => undefined, () => core.collections.draftFor('conv-1')).render();
  document.body.appendChild(composer.el);
  input = composer.el.querySelector('textarea') as HTMLTextAreaElement;
});

afterEach(() => {
  composer.remove();
  vi.useRealTimers();
  document.body.innerHTML = '';
});

/** Another tab saved the draft: the store's change reaches this tab's draft model. */
const otherTabSaves = (body: string) => core.collections.draftFor('conv-1').set({ body, updatedAt: Date.now() });
const type = (text: string) => {
  input.value = text;
  input.dispatchEvent(new Event('input', { bubbles: true }));
};
const sendButton = () => composer.el.querySelector('.send-button') as HTMLButtonElement;

describe('a draft written in another tab', () => {
  it('shows at once in a composer that is not in use, with the send button ready', () => {
    expect(input.value).toBe('from before');
    otherTabSaves('written in the other tab');
    expect(input.value).toBe('written in the other tab');
    expect(sendButton().disabled).toBe(false);
  });

  it('shows in a focused composer nobody has typed in for a moment', () => {
    input.focus();
    type('mine');
    vi.advanceTimersByTime(TYPING_QUIET_MS + 100);
    otherTabSaves('theirs');
    expect(input.value).toBe('theirs');
    expect([input.selectionStart, input.selectionEnd]).toEqual([6, 6]);
  });

  it('waits while the person is typing, and then their own text, saved last, wins', () => {
    input.focus();
    type('I am typing');
    otherTabSaves('theirs');
    expect(input.value).toBe('I am typing');
    vi.advanceTimersByTime(5000);
    expect(input.value).toBe('I am typing');
    expect(core.collections.draftFor('conv-1').get('body')).toBe('I am typing');
  });

  it('arrives after the pause when the person had stopped typing with their text saved', () => {
    input.focus();
    type('saved text');
    vi.advanceTimersByTime(500);
    expect(core.collections.draftFor('conv-1').get('body')).toBe('saved text');
    otherTabSaves('newer from the other tab');
    expect(input.value).toBe('saved text');
    vi.advanceTimersByTime(TYPING_QUIET_MS);
    expect(input.value).toBe('newer from the other tab');
  });

  it('empties the field when the other tab sent or erased it', async () => {
    const draft = core.collections.draftFor('conv-1');
    (draft.collection as unknown as { remove(m: unknown): void }).remove(draft);
    await Promise.resolve();
    expect(input.value).toBe('');
    expect(sendButton().disabled).toBe(true);
    // The fresh draft model is followed too.
    otherTabSaves('again');
    expect(input.value).toBe('again');
  });
});

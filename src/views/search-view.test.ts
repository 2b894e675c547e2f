import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppView } from './app-view';
import { highlight } from './search-view';
import { addConversation, createFakeCore, fakeMessage } from './testing/fake-core';

const conversation = {
  id: 'conv-1', kind: 'direct' as const, title: '', ownerId: null, memberIds: ['u-alice', 'u-bob'], latestSeq: 2, updatedAt: Date.now(),
  members: { 'u-alice': { joinedSeq: 1 }, 'u-bob': { joinedSeq: 1 } },
  myDeliveredSeq: 2, myReadSeq: 0, deliveredToAllSeq: 1, readByAllSeq: 1,
};

afterEach(() => {
  document.body.innerHTML = '';
  vi.useRealTimers();
});

describe('the search box', () => {
  it('marks the words that start with a query word, accents and case ignored, as elements around text (never markup)', () => {
    const parts = highlight('Le Café <b>is</b> open, cafeteria too', ['cafe']);
    const el = document.createElement('p');
    el.append(...parts);
    expect([...el.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['Café', 'cafeteria']);
    expect(el.querySelector('b')).toBeNull();
    expect(el.textContent).toBe('Le Café <b>is</b> open, cafeteria too');
  });

  it('searches as the person types (debounced), shows conversation, sender and marked words, and opens the chosen message', async () => {
    vi.useFakeTimers();
    const core = createFakeCore();
    const now = Date.now();
    addConversation(core, conversation, [fakeMessage(1, 'u-bob', 'see you at the café', now - 1000), fakeMessage(2, 'u-bob', 'later', now)]);
    core.collections.contacts.add({ id: 'u-bob', username: 'bob', displayName: 'Bob', online: false, lastSeenAt: null } as never);
    core.searchHits = [{ ...fakeMessage(1, 'u-bob', 'see you at the café', now - 1000), state: undefined } as never];
    const el = document.createElement('div');
    document.body.appendChild(el);
    new AppView(core, { el }).render();
    const input = el.querySelector('input[type=search]') as HTMLInputElement;
    input.value = 'ca';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.value = 'cafe';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await vi.advanceTimersByTimeAsync(200);
    expect(core.calls.filter((c) => c.name === 'search').map((c) => c.args[0])).toEqual(['cafe']);
    const result = el.querySelector('.search-result') as HTMLElement;
    expect(result.querySelector('.search-result-head')?.textContent).toContain('Bob');
    expect(result.querySelector('mark')?.textContent).toBe('café');
    result.click();
    await vi.advanceTimersByTimeAsync(50);
    expect(el.querySelector('.main-pane')?.textContent).toContain('later');
    // The scope toggle narrows the next search to the open conversation.
    (el.querySelector('.search-scope') as HTMLButtonElement).click();
    await vi.advanceTimersByTimeAsync(200);
    expect(core.calls.filter((c) => c.name === 'search').at(-1)?.args[1]).toEqual({ conversationId: 'conv-1' });
  });
});

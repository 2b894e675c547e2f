import Backbone from 'backbone';
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageView } from '../core/client-core-api';
import { AppView } from './app-view';
import { MessageListView, type ListPosition } from './message-list-view';
import { addConversation, createFakeCore, fakeConversation, fakeMessage } from './testing/fake-core';
import type { MessageModel } from './view-core';

const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
/** One calendar day, so the rows are: start, one day separator, the messages. */
const DAY = new Date(2026, 0, 15, 10).getTime();
const VIEWPORT = 300;

afterEach(() => {
  document.body.innerHTML = '';
});

/**
 * happy-dom does no layout: the scroller gets a 300 px viewport, a scroll
 * height from the virtual canvas, and a clamped scrollTop, so the list's
 * estimates (64 px a message, 44 px other rows) are its geometry.
 */
function fakeLayout(el: HTMLElement): void {
  let top = 0;
  const height = () => parseFloat((el.querySelector('.message-canvas') as HTMLElement | null)?.style.height ?? '') || 0;
  Object.defineProperty(el, 'clientHeight', { configurable: true, get: () => VIEWPORT });
  Object.defineProperty(el, 'scrollHeight', { configurable: true, get: () => Math.max(VIEWPORT, height()) });
  Object.defineProperty(el, 'scrollTop', { configurable: true, get: () => top, set: (v: number) => { top = Math.max(0, Math.min(v, Math.max(VIEWPORT, height()) - VIEWPORT)); } });
}

/** Bob's messages 1..n (alice's own where `own` says so). */
function history(n: number, own: (seq: number) => boolean = () => false): MessageView[] {
  return Array.from({ length: n }, (_, i) => fakeMessage(i + 1, own(i + 1) ? 'u-alice' : 'u-bob', `message ${i + 1}`, DAY + i * 1000));
}

function listOf(messages: MessageView[], landAt: number | null) {
  const collection = new Backbone.Collection<MessageModel>(messages);
  const list = new MessageListView(collection, { selfId: 'u-alice', isGroup: false, senderName: () => 'Bob', stateOf: (m) => m.state }, async () => false);
  fakeLayout(list.el);
  const positions: ListPosition[] = [];
  list.on('position', (p: ListPosition) => positions.push(p));
  if (landAt !== null) list.landAt(landAt);
  document.body.appendChild(list.el);
  list.render();
  return { list, collection, positions };
}

const rowAfterLine = (el: HTMLElement) => (el.querySelector('.row-unread')?.nextElementSibling as HTMLElement | null)?.dataset.seq;

describe('opening at the first unread message', () => {
  it('lands with the "New messages" line at the top of the view, and counts the unread messages below', () => {
    const { list, positions } = listOf(history(60), 41);
    expect(list.el.querySelector('.row-unread')?.textContent).toBe('New messages');
    expect(rowAfterLine(list.el)).toBe('41');
    // start 44 + day 44 + 40 read messages of 64, less the bit of context above the line.
    expect(list.el.scrollTop).toBe(44 + 44 + 40 * 64 - 24);
    // In view below the line (44): 231 px, messages 41-44; 45-60 are below, unseen.
    expect(positions.at(-1)).toEqual({ atBottom: false, unseen: 16 });
    list.remove();
  });

  it('counts new messages from others that arrive below, not one\'s own, and jumping to the latest sees them all; the line stays', async () => {
    const { list, collection, positions } = listOf(history(60), 41);
    collection.add([fakeMessage(61, 'u-bob', 'newer', DAY + 61_000), fakeMessage(62, 'u-alice', 'mine', DAY + 62_000)]);
    await frame();
    expect(positions.at(-1)).toEqual({ atBottom: false, unseen: 17 });
    list.scrollToBottom();
    expect(list.el.scrollTop).toBe(list.el.scrollHeight - VIEWPORT);
    expect(positions.at(-1)).toEqual({ atBottom: true, unseen: 0 });
    // Back up to where it landed: seen is seen, and the line is still there.
    list.el.scrollTop = 44 + 44 + 40 * 64 - 24;
    list.el.dispatchEvent(new Event('scroll'));
    await frame();
    expect(positions.at(-1)).toEqual({ atBottom: false, unseen: 0 });
    expect(list.el.querySelector('.row-unread')).not.toBeNull();
    list.remove();
  });

  it('waits for the first unread message to be loaded before it lands', async () => {
    const { list, collection, positions } = listOf([], 41);
    expect(list.el.querySelector('.row-unread')).toBeNull();
    collection.add(history(60));
    await frame();
    expect(rowAfterLine(list.el)).toBe('41');
    expect(list.el.scrollTop).toBe(44 + 44 + 40 * 64 - 24);
    expect(positions.at(-1)?.atBottom).toBe(false);
    list.remove();
  });

  it('stays at the bottom with no line when nothing is unread', () => {
    const { list, positions } = listOf(history(60), null);
    expect(list.el.querySelector('.row-unread')).toBeNull();
    expect(list.el.scrollTop).toBe(list.el.scrollHeight - VIEWPORT);
    expect(positions.at(-1) ?? { atBottom: true, unseen: 0 }).toEqual({ atBottom: true, unseen: 0 });
    list.remove();
  });
});

describe('the conversation view', () => {
  it('puts the line above the first unread message from someone else, and keeps it when the messages are marked read', async () => {
    const core = createFakeCore();
    // Alice wrote 3 after reading 2: the first unread is bob's 4.
    const model = addConversation(core, fakeConversation({ latestSeq: 5, myReadSeq: 2 }), history(5, (seq) => seq === 3));
    const el = document.createElement('div');
    document.body.appendChild(el);
    new AppView(core, { el }).render();
    await frame();
    (el.querySelector('.conversation-button') as HTMLButtonElement).click();
    await frame();
    expect(rowAfterLine(el)).toBe('4');
    model.set({ myReadSeq: 5 });
    await frame();
    expect(rowAfterLine(el)).toBe('4');
    const jump = el.querySelector('.jump-latest') as HTMLButtonElement;
    expect(jump.textContent).toBe('Jump to latest');
  });
});

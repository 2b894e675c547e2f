import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { VisibilitySource } from '../controllers/receipt-controller';
import { CrossTabChannel } from '../offline/cross-tab-channel';
import { channelHub } from '../offline/testing/fake-tabs';
import { TabAttention } from './tab-attention';

/** Which conversation the person has in front of them, told between tabs. */
function page(visible: boolean): VisibilitySource & { visible: boolean } {
  return { visible, isVisible() { return this.visible; }, addEventListener: () => undefined, removeEventListener: () => undefined };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('TabAttention', () => {
  it('a tab in front with a conversation open claims it for the other tabs; hidden, it does not', () => {
    const hub = channelHub();
    const front = new TabAttention({ channel: new CrossTabChannel({ create: hub }), visibility: page(true), userId: () => 'u1' });
    const back = new TabAttention({ channel: new CrossTabChannel({ create: hub }), visibility: page(false), userId: () => 'u1' });
    back.setOpenConversation('c2');
    front.setOpenConversation('c1');
    expect(back.isAttended('c1')).toBe(true);
    expect(front.isAttended('c2')).toBe(false);
    front.setOpenConversation(null);
    expect(back.isAttended('c1')).toBe(false);
  });

  it('the claim of a tab that crashed lapses; a living tab keeps telling it', () => {
    const hub = channelHub();
    const other = new TabAttention({ channel: new CrossTabChannel({ create: hub }), visibility: page(false), userId: () => 'u1' });
    const living = new TabAttention({ channel: new CrossTabChannel({ create: hub }), visibility: page(true), userId: () => 'u1', refreshMs: 1000, ttlMs: 3000 });
    living.setOpenConversation('c1');
    vi.advanceTimersByTime(10_000);
    expect(other.isAttended('c1')).toBe(true);
    // A crash: no goodbye, no more refreshes.
    const crashedChannel = new CrossTabChannel({ create: hub });
    crashedChannel.post({ kind: 'attention', userId: 'u1', tabId: 'gone', conversationId: 'c9', until: Date.now() + 3000 });
    expect(other.isAttended('c9')).toBe(true);
    vi.advanceTimersByTime(3001);
    expect(other.isAttended('c9')).toBe(false);
    expect(other.isAttended('c1')).toBe(true);
  });

  it('another account\'s tab decides nothing for this one', () => {
    const hub = channelHub();
    const mine = new TabAttention({ channel: new CrossTabChannel({ create: hub }), visibility: page(false), userId: () => 'u1' });
    new TabAttention({ channel: new CrossTabChannel({ create: hub }), visibility: page(true), userId: () => 'u2' }).setOpenConversation('c1');
    expect(mine.isAttended('c1')).toBe(false);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryTypingGate } from './typing-gate';

describe('MemoryTypingGate', () => {
  let relayed: string[];
  let gate: MemoryTypingGate;
  const offer = (user: string, conv: string, typing: boolean): void => gate.offer(user, conv, typing, (t) => relayed.push(`${user} ${conv} ${t}`));
  beforeEach(() => {
    vi.useFakeTimers();
    relayed = [];
    gate = new MemoryTypingGate({ intervalMs: 1000, conversationsPerUser: 2, typersPerConversation: 3, expiryMs: 6000 });
  });
  afterEach(() => {
    gate.stop();
    vi.useRealTimers();
  });

  it("relays a client's start, its 3 s refreshes and its stop as they come", () => {
    offer('u', 'c', true);
    vi.advanceTimersByTime(3000);
    offer('u', 'c', true);
    vi.advanceTimersByTime(1500);
    offer('u', 'c', false);
    expect(relayed).toEqual(['u c true', 'u c true', 'u c false']);
  });

  it('coalesces notices within the interval into the last state at its end, and relays nothing when it ends where it began', () => {
    offer('u', 'c', true);
    for (let i = 0; i < 50; i++) offer('u', 'c', i % 2 === 1);
    expect(relayed).toEqual(['u c true']);
    vi.advanceTimersByTime(1000);
    expect(relayed).toEqual(['u c true', 'u c true']); // the last asked was true: a refresh
    offer('u', 'c', false);
    offer('u', 'c', true);
    offer('u', 'c', false);
    vi.advanceTimersByTime(1000);
    expect(relayed).toEqual(['u c true', 'u c true', 'u c false']);
    offer('u', 'c', false);
    vi.advanceTimersByTime(5000);
    expect(relayed).toHaveLength(3); // a stop after a stop says nothing new
  });

  it('relays no stop that follows no start', () => {
    offer('u', 'c', false);
    vi.advanceTimersByTime(2000);
    expect(relayed).toEqual([]);
  });

  it('counts users apart: one user at the interval does not hold another', () => {
    offer('u', 'c', true);
    offer('v', 'c', true);
    expect(relayed).toEqual(['u c true', 'v c true']);
  });

  it('shows a user typing in at most conversationsPerUser conversations at once', () => {
    for (const c of ['a', 'b', 'c', 'd']) offer('u', c, true);
    expect(relayed).toEqual(['u a true', 'u b true']);
    vi.advanceTimersByTime(1000);
    offer('u', 'a', false);
    offer('u', 'c', true);
    expect(relayed).toEqual(['u a true', 'u b true', 'u a false', 'u c true']);
  });

  it('shows at most typersPerConversation users typing in one conversation at once', () => {
    for (const u of ['a', 'b', 'c', 'd', 'e']) offer(u, 'g', true);
    expect(relayed).toEqual(['a g true', 'b g true', 'c g true']);
    vi.advanceTimersByTime(1000);
    offer('a', 'g', false);
    offer('d', 'g', true);
    expect(relayed).toEqual(['a g true', 'b g true', 'c g true', 'a g false', 'd g true']);
  });

  it('forgets a start not refreshed within the expiry: the slot is free again and a late stop says nothing', () => {
    offer('u', 'a', true);
    offer('u', 'b', true);
    vi.advanceTimersByTime(6000);
    offer('u', 'a', false);
    offer('u', 'c', true);
    expect(relayed).toEqual(['u a true', 'u b true', 'u c true']);
  });
});

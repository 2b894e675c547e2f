import { describe, expect, it } from 'vitest';
import type { Conversation } from '../protocol';
import { displayState } from './message-state';

const conversation = (deliveredToAllSeq: number, readByAllSeq: number): Conversation => ({
  id: 'c1', kind: 'group', title: 'g', ownerId: 'me', memberIds: ['me', 'b', 'c'], latestSeq: 10, updatedAt: 0,
  members: { me: { joinedSeq: 1 }, b: { joinedSeq: 1 }, c: { joinedSeq: 1 } },
  myDeliveredSeq: 10, myReadSeq: 10, deliveredToAllSeq, readByAllSeq,
});

describe('displayState', () => {
  it('keeps pending and failed from the outbox', () => {
    expect(displayState({ state: 'pending', seq: null }, undefined, 'me')).toBe('pending');
    expect(displayState({ state: 'failed', seq: null }, undefined, 'me')).toBe('failed');
  });

  it('says delivered or read only when every other member got that far', () => {
    const partly = conversation(4, 0);
    expect(displayState({ state: 'sent', seq: 4 }, partly, 'me')).toBe('delivered');
    expect(displayState({ state: 'sent', seq: 5 }, partly, 'me')).toBe('sent');
    const all = conversation(9, 8);
    expect(displayState({ state: 'sent', seq: 8 }, all, 'me')).toBe('read');
    expect(displayState({ state: 'sent', seq: 9 }, all, 'me')).toBe('delivered');
  });

  it('never shows less than the core reported', () => {
    expect(displayState({ state: 'read', seq: 3 }, conversation(0, 0), 'me')).toBe('read');
  });
});

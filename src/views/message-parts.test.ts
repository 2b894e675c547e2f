import { describe, expect, it } from 'vitest';
import { catalogueOf, searchEmoji } from './emoji-catalogue';
import { changeFailureText, firstLine, messageActions, namesList } from './message-parts';
import { fakeMessage } from './testing/fake-core';

describe('messageActions', () => {
  const mine = fakeMessage(4, 'me', 'text', 0);
  it('gives Edit and Delete to the sender only, Info in groups only, nothing on a deleted or failed message', () => {
    expect(messageActions(mine, 'me', false)).toEqual(['reply', 'react', 'edit', 'delete']);
    expect(messageActions(mine, 'me', true)).toEqual(['reply', 'react', 'edit', 'delete', 'info']);
    expect(messageActions(mine, 'other', true)).toEqual(['reply', 'react']);
    expect(messageActions({ ...mine, deletedAt: 1 }, 'me', true)).toEqual([]);
    expect(messageActions({ ...mine, seq: null, state: 'failed' }, 'me', true)).toEqual([]);
  });

  it('lets a pending message be edited or deleted (the change merges into the send), not answered yet', () => {
    expect(messageActions({ ...mine, seq: null, state: 'pending' }, 'me', true)).toEqual(['edit', 'delete']);
  });
});

describe('words of the parts', () => {
  it('quote the first line, cut to a length', () => {
    expect(firstLine('  one\ntwo')).toBe('one');
    expect(firstLine('x'.repeat(200), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(firstLine('👍'.repeat(5), 3)).toBe('👍👍…');
  });

  it('list names as a sentence', () => {
    expect(namesList(['You'])).toBe('You');
    expect(namesList(['You', 'Bob', 'Carol'])).toBe('You, Bob and Carol');
  });

  it('say why a change failed', () => {
    expect(changeFailureText({ clientMessageId: 'c', kind: 'edit', state: 'failed', error: { code: 'GONE', message: 'x' } })).toBe('This message was deleted before your change arrived.');
    expect(changeFailureText({ clientMessageId: 'c', kind: 'delete', state: 'failed', error: { code: 'NOT_FOUND', message: 'no message m9' } })).toBe('Your deletion could not be made: no message m9');
  });
});

describe('the emoji catalogue', () => {
  const groups = catalogueOf([
    { name: 'Smileys', emojis: [{ emoji: '😀', name: 'grinning face' }, { emoji: 'A', name: 'letter a' }] },
    { name: 'Travel', emojis: [{ emoji: '🚀', name: 'rocket' }, { emoji: '🚗', name: 'automobile' }] },
  ]);
  it('keeps only what the protocol takes as a reaction', () => {
    expect(groups.flatMap((g) => g.emojis.map((e) => e.emoji))).toEqual(['😀', '🚀', '🚗']);
  });

  it('finds emoji by the start of the words of their names', () => {
    expect(searchEmoji(groups, 'gri').map((e) => e.emoji)).toEqual(['😀']);
    expect(searchEmoji(groups, 'face grin').map((e) => e.emoji)).toEqual(['😀']);
    expect(searchEmoji(groups, 'ocket')).toEqual([]);
    expect(searchEmoji(groups, '  ')).toHaveLength(3);
  });
});

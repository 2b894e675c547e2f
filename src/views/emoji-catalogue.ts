import { emojiProblem } from '../protocol/emoji';

/** An emoji and its Unicode name ("thumbs up"), the picker's label and search text. */
export interface EmojiEntry {
  emoji: string;
  name: string;
}

export interface EmojiGroup {
  name: string;
  emojis: EmojiEntry[];
}

/** The quick picker's reactions, offered on every message. */
export const QUICK_REACTIONS: readonly EmojiEntry[] = [
  { emoji: '👍', name: 'thumbs up' },
  { emoji: '❤️', name: 'red heart' },
  { emoji: '😂', name: 'face with tears of joy' },
  { emoji: '😮', name: 'face with open mouth' },
  { emoji: '😢', name: 'crying face' },
  { emoji: '🙏', name: 'folded hands' },
];

interface RawGroup {
  name: string;
  emojis: { emoji: string; name: string }[];
}

let loading: Promise<EmojiGroup[]> | null = null;

/**
 * The full emoji set (the unicode-emoji-json package), grouped as Unicode
 * groups them. It is a chunk of its own, fetched the first time the full
 * picker opens, so the app's first load does not carry it. Only what the
 * protocol accepts as a reaction is kept (src/protocol/emoji.ts). A failed
 * fetch is forgotten, so the next opening tries again.
 */
export function loadEmojiCatalogue(): Promise<EmojiGroup[]> {
  loading ??= import('unicode-emoji-json/data-by-group.json')
    .then((module) => catalogueOf(module.default as RawGroup[]))
    .catch((error: unknown) => {
      loading = null;
      throw error;
    });
  return loading;
}

/** The groups with every emoji the protocol would refuse left out. */
export function catalogueOf(groups: RawGroup[]): EmojiGroup[] {
  return groups
    .map((group) => ({ name: group.name, emojis: group.emojis.filter((e) => emojiProblem(e.emoji) === null).map((e) => ({ emoji: e.emoji, name: e.name })) }))
    .filter((group) => group.emojis.length > 0);
}

/** The emoji whose name holds every word of `query` (as the start of one of its words), in catalogue order. */
export function searchEmoji(groups: readonly EmojiGroup[], query: string): EmojiEntry[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return groups.flatMap((g) => g.emojis);
  return groups.flatMap((g) => g.emojis).filter((e) => {
    const nameWords = e.name.toLowerCase().split(/[\s:,-]+/);
    return words.every((w) => nameWords.some((n) => n.startsWith(w)));
  });
}

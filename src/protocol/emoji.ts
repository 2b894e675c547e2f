/**
 * What `ReactCommand.emoji` accepts (docs/PROTOCOL.md section 8): exactly one
 * grapheme cluster, at most 32 bytes of UTF-8, that is an emoji (a
 * pictograph, a flag of two regional indicators, or a keycap). Letters and
 * digits on their own are refused, so a reaction cannot carry text.
 */
const MAX_EMOJI_BYTES = 32;
const PICTOGRAPH = /\p{Extended_Pictographic}|\p{Regional_Indicator}{2}|\u20E3/u;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Why `value` is not one emoji, or null when it is. */
export function emojiProblem(value: string): string | null {
  if (value.length === 0) return 'emoji must not be empty';
  if (new TextEncoder().encode(value).length > MAX_EMOJI_BYTES) return `emoji must be at most ${MAX_EMOJI_BYTES} bytes of UTF-8`;
  let graphemes = 0;
  for (const _ of segmenter.segment(value)) graphemes++;
  if (graphemes !== 1) return `emoji must be one grapheme cluster, got ${graphemes}`;
  if (!PICTOGRAPH.test(value)) return 'emoji must be an emoji, not text';
  return null;
}

import { z } from 'zod';

/**
 * The one string schema of the protocol. A JavaScript string may hold lone
 * UTF-16 surrogates (JSON's `"\uD800"` decodes to one), which no UTF-8
 * store can keep: SQLite turned each into three U+FFFD, so a body
 * acknowledged as sent came back different, and three times longer, from
 * history. Every string a client sends is therefore refused unless it is
 * well-formed, so that what is acknowledged is exactly what is stored and
 * returned. (`String.prototype.isWellFormed` does the same; the pattern
 * works without the ES2024 library types.)
 */

// With the `u` flag a surrogate pair is one code point, so only an unpaired half matches \p{Cs}.
const LONE_SURROGATE = /\p{Cs}/u;

/** The index of the first lone surrogate in `s`, or -1 when `s` is well-formed. */
export function loneSurrogateIndex(s: string): number {
  return s.search(LONE_SURROGATE);
}

/** A string that must be well-formed Unicode text; refine it further like any `z.string()`. */
export function text() {
  return z.string().check((ctx) => {
    const at = loneSurrogateIndex(ctx.value);
    if (at >= 0) {
      const unit = ctx.value.charCodeAt(at).toString(16).toUpperCase();
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message: `must be well-formed Unicode text; it holds a lone surrogate U+${unit} at index ${at}`,
      });
    }
  });
}

/**
 * Characters that change the direction of the text around them: the
 * embeddings and overrides (U+202A-U+202E), the isolates (U+2066-U+2069)
 * and the invisible marks (U+200E, U+200F, U+061C). A display name holding
 * one could reorder what the client shows beside it, so that a name reads
 * as somebody else's; display names never need them (the client isolates
 * every name itself), so they are refused outright.
 */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u;
/** C0 and C1 control characters (line breaks, tabs, escapes): nothing a name shows. */
const CONTROL = /\p{Cc}/u;

/** Length in Unicode code points, the unit of every protocol length of text. */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The longest display name, in code points after trimming. */
export const MAX_DISPLAY_NAME_LENGTH = 64;

/**
 * A display name: trimmed, 1-64 code points, no bidi or other control
 * characters (refused naming the character and where it is).
 */
export function displayName() {
  return text()
    .trim()
    .check((ctx) => {
      const length = codePointLength(ctx.value);
      const bad = ctx.value.match(BIDI_CONTROL) ?? ctx.value.match(CONTROL);
      let message: string | null = null;
      if (length < 1) message = 'must not be empty';
      else if (length > MAX_DISPLAY_NAME_LENGTH) message = `must be at most ${MAX_DISPLAY_NAME_LENGTH} characters, it has ${length}`;
      else if (bad) {
        const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
        message = `must not hold control or text-direction characters; it holds U+${code} at index ${bad.index}`;
      }
      if (message) ctx.issues.push({ code: 'custom', input: ctx.value, message });
    });
}

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

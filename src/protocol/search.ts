/**
 * Search (docs/PROTOCOL.md section 10): what a query means, shared by the
 * server's index (SQLite FTS5) and the client's local one (MiniSearch), so
 * both find the same messages for the same words.
 *
 * A query is split into words, runs of letters, digits and combining marks;
 * everything else separates them. A message matches when it holds every
 * word (AND) as the start of one of its words, ignoring case and accents.
 * A word of a single character matches only that whole word: as a prefix it
 * would match most of the history, for no use and at great cost.
 */

/** Longest query, in code points. */
export const MAX_SEARCH_QUERY_LENGTH = 200;
/** Default and largest page of SearchMessagesCommand. */
export const SEARCH_PAGE_DEFAULT = 20;
export const SEARCH_PAGE_MAX = 100;
/** Most words of one query that are used; the rest are ignored (each costs the index a lookup). */
export const MAX_SEARCH_WORDS = 8;

const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const MARKS = /\p{M}/gu;

/** Lower case, accents removed (NFD, then the combining marks dropped): the form both indexes compare. */
export function foldForSearch(text: string): string {
  return text.normalize('NFKD').replace(MARKS, '').toLowerCase();
}

/** The words of a text, folded; empty strings never appear. */
export function searchWords(text: string): string[] {
  return foldForSearch(text).match(WORD) ?? [];
}

/** The query's distinct words as they are matched (at most MAX_SEARCH_WORDS); empty when it holds no letter or digit. */
export function queryWords(query: string): string[] {
  return [...new Set(searchWords(query))].slice(0, MAX_SEARCH_WORDS);
}

/** Whether a query word is matched as a prefix (two characters or more) or only whole. */
export function isPrefixWord(word: string): boolean {
  return [...word].length >= 2;
}

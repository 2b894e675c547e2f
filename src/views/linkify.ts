import { h } from './dom';

/**
 * Turns the URLs in a message into links and leaves everything else as text.
 * Only http(s) URLs become links, so `javascript:` and friends stay text.
 */
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;
/** Punctuation that usually ends a sentence rather than a URL. */
const TRAILING = /[.,;:!?)\]}]+$/;

export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

/** Splits text into plain runs and http(s) URLs. */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index ?? 0;
    let url = match[0];
    const trail = TRAILING.exec(url);
    // Keep a closing parenthesis that balances one inside the URL (Wikipedia links).
    if (trail && !(trail[0] === ')' && url.includes('('))) url = url.slice(0, url.length - trail[0].length);
    if (!isHttpUrl(url)) continue;
    if (start > last) parts.push({ kind: 'text', text: text.slice(last, start) });
    parts.push({ kind: 'link', text: url, href: url });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}

function isHttpUrl(candidate: string): boolean {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** A fragment of text nodes and safe links for a message body. */
export function linkify(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const part of splitLinks(text)) {
    fragment.appendChild(
      part.kind === 'text'
        ? document.createTextNode(part.text)
        : h('a', { href: part.href, target: '_blank', rel: 'noopener noreferrer' }, part.text),
    );
  }
  return fragment;
}

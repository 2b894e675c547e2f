import { describe, expect, it } from 'vitest';
import { linkify, splitLinks } from './linkify';

describe('splitLinks', () => {
  it('finds http and https URLs and leaves trailing punctuation out', () => {
    expect(splitLinks('see https://example.com/a?b=1. and http://x.org!')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: '. and ' },
      { kind: 'link', text: 'http://x.org', href: 'http://x.org' },
      { kind: 'text', text: '!' },
    ]);
  });

  it('keeps a balanced closing parenthesis', () => {
    const parts = splitLinks('https://en.wikipedia.org/wiki/Foo_(bar)');
    expect(parts).toEqual([{ kind: 'link', text: 'https://en.wikipedia.org/wiki/Foo_(bar)', href: 'https://en.wikipedia.org/wiki/Foo_(bar)' }]);
  });

  it('never links javascript: or data: URLs', () => {
    expect(splitLinks('javascript:alert(1) data:text/html,<b>')).toEqual([
      { kind: 'text', text: 'javascript:alert(1) data:text/html,<b>' },
    ]);
  });
});

describe('linkify', () => {
  it('builds safe links and text nodes', () => {
    const host = document.createElement('div');
    host.appendChild(linkify('<b>hi</b> https://example.com'));
    const link = host.querySelector('a');
    expect(host.querySelector('b')).toBeNull();
    expect(link?.getAttribute('rel')).toBe('noopener noreferrer');
    expect(link?.getAttribute('target')).toBe('_blank');
    expect(host.textContent).toBe('<b>hi</b> https://example.com');
  });
});

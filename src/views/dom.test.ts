import { describe, expect, it } from 'vitest';
import { escapeHtml, h, html } from './dom';

describe('escapeHtml', () => {
  it('escapes markup characters and quotes', () => {
    expect(escapeHtml(`<img src=x onerror="alert('1')">&`)).toBe(
      '&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;',
    );
  });
});

describe('html', () => {
  it('escapes every interpolation but keeps the literal markup', () => {
    const name = '<script>window.pwned = 1</script>';
    expect(html`<b title="${name}">${name}</b>`.value).toBe(
      '<b title="&lt;script&gt;window.pwned = 1&lt;/script&gt;">&lt;script&gt;window.pwned = 1&lt;/script&gt;</b>',
    );
  });

  it('does not escape nested templates twice, and joins arrays', () => {
    const items = ['a&b', 'c'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>`.value).toBe('<ul><li>a&amp;b</li><li>c</li></ul>');
  });
});

describe('h', () => {
  it('puts strings in text nodes so markup stays literal', () => {
    const el = h('p', { class: 'body' }, '<img src=x onerror=alert(1)>');
    expect(el.querySelector('img')).toBeNull();
    expect(el.textContent).toBe('<img src=x onerror=alert(1)>');
    expect(el.className).toBe('body');
  });

  it('omits false and null attributes and sets boolean true as empty', () => {
    const el = h('button', { disabled: true, hidden: false, title: null });
    expect(el.hasAttribute('disabled')).toBe(true);
    expect(el.hasAttribute('hidden')).toBe(false);
    expect(el.hasAttribute('title')).toBe(false);
  });

  it('refuses event-handler attributes', () => {
    expect(() => h('div', { onclick: 'x()' })).toThrow(/not allowed/);
  });
});

import { describe, expect, it } from 'vitest';
import { applyTheme } from '../views/theme';
import { THEME_KEY, ThemePreference } from './theme-preference';

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return { data, getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) };
}

describe('ThemePreference', () => {
  it('shows the stored choice at once, and keeps a new one on a trusted device', () => {
    const storage = memoryStorage({ [THEME_KEY]: 'dark' });
    const shown: string[] = [];
    const theme = new ThemePreference({ storage, apply: (c) => shown.push(c) });
    expect(shown).toEqual(['dark']);
    theme.choose('light');
    expect(storage.data.get(THEME_KEY)).toBe('light');
    theme.choose('system');
    expect(storage.data.has(THEME_KEY)).toBe(false);
    expect(shown).toEqual(['dark', 'light', 'system']);
  });

  it('on a public computer keeps the choice in memory only and forgets the stored one', () => {
    const storage = memoryStorage({ [THEME_KEY]: 'dark' });
    const theme = new ThemePreference({ storage, apply: () => undefined });
    theme.keepOnDevice(false);
    expect(storage.data.has(THEME_KEY)).toBe(false);
    theme.choose('light');
    expect(theme.current()).toBe('light');
    expect(storage.data.has(THEME_KEY)).toBe(false);
  });

  it('ignores a stored value it does not know, and refuses an unknown choice', () => {
    const theme = new ThemePreference({ storage: memoryStorage({ [THEME_KEY]: 'neon' }), apply: () => undefined });
    expect(theme.current()).toBe('system');
    expect(() => theme.choose('neon' as never)).toThrow(/unknown theme "neon"/);
  });

  it('puts one class on the root element, none for the system choice', () => {
    const root = document.createElement('html');
    applyTheme(root, 'dark');
    expect(root.className).toBe('theme-dark');
    applyTheme(root, 'light');
    expect(root.className).toBe('theme-light');
    applyTheme(root, 'system');
    expect(root.className).toBe('');
  });
});

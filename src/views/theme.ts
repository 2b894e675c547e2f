import type { ThemeChoice } from '../core/theme-preference';

/**
 * Shows a theme choice on the document: `theme-light` or `theme-dark` on the
 * root element, neither for the system's (app.css then follows
 * `prefers-color-scheme`). Classes, not inline styles: the CSP allows no
 * inline style and no inline script.
 */
export function applyTheme(root: HTMLElement, choice: ThemeChoice): void {
  root.classList.toggle('theme-light', choice === 'light');
  root.classList.toggle('theme-dark', choice === 'dark');
}

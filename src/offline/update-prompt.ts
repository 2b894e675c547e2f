import './update-prompt.css';

/**
 * The small "New version — Reload" bar shown when a new app shell is waiting.
 * Plain DOM (no view framework) because it lives outside the app's views and
 * must work on the login form and the chat alike.
 */
export class UpdatePrompt {
  private el: HTMLElement | null = null;

  constructor(private readonly doc: Document = document) {}

  isShown(): boolean {
    return this.el !== null;
  }

  /** Shows the bar; `onReload` runs when the person accepts the new version. */
  show(onReload: () => void): void {
    if (this.el) return;
    const bar = this.doc.createElement('div');
    bar.className = 'update-prompt';
    bar.setAttribute('role', 'status');
    const text = this.doc.createElement('span');
    text.textContent = 'A new version of Tidings is ready.';
    const reload = this.doc.createElement('button');
    reload.type = 'button';
    reload.textContent = 'Reload';
    reload.addEventListener('click', () => {
      reload.disabled = true;
      onReload();
    });
    const later = this.doc.createElement('button');
    later.type = 'button';
    later.className = 'update-prompt-later';
    later.textContent = 'Later';
    later.setAttribute('aria-label', 'Dismiss the update notice');
    later.addEventListener('click', () => this.hide());
    bar.append(text, reload, later);
    this.doc.body.append(bar);
    this.el = bar;
  }

  hide(): void {
    this.el?.remove();
    this.el = null;
  }
}

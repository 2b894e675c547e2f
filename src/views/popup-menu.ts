import { h } from './dom';

/** One entry of a popup menu; `checked` makes it a menuitemcheckbox (a reaction already given). */
export interface MenuItem {
  id: string;
  label: string;
  /** The accessible name when the label alone does not say it (an emoji's name). */
  ariaLabel?: string;
  checked?: boolean;
  danger?: boolean;
}

/** Where a menu opens: under a button, or at the pointer (a context menu or a long press). */
export type MenuPlace = { anchor: HTMLElement } | { x: number; y: number };

/**
 * A WAI-ARIA menu that floats over the page: the items are buttons with
 * role menuitem, the first is focused when it opens, arrow keys (both axes,
 * wrapping), Home and End move between them, Enter or Space chooses, and
 * Escape, Tab or a press outside close it and give focus back to where it
 * came from. One is open at a time; the caller makes a new one per opening.
 */
export class PopupMenu {
  readonly el: HTMLElement;
  private readonly items: HTMLButtonElement[];
  private closed = false;
  private readonly onClose: (() => void) | undefined;
  private readonly onOutside = (e: Event) => {
    if (!this.el.contains(e.target as Node)) this.close(false);
  };

  constructor(
    label: string,
    items: MenuItem[],
    private readonly onChoose: (id: string) => void,
    private readonly returnFocus: HTMLElement | null,
    options: { horizontal?: boolean; onClose?: () => void } = {},
  ) {
    this.onClose = options.onClose;
    this.items = items.map((item) =>
      h('button', {
        type: 'button',
        role: item.checked === undefined ? 'menuitem' : 'menuitemcheckbox',
        'aria-checked': item.checked === undefined ? undefined : String(item.checked),
        'aria-label': item.ariaLabel,
        title: item.ariaLabel,
        tabindex: -1,
        class: `menu-item${item.danger ? ' is-danger' : ''}`,
        'data-item': item.id,
      }, item.label));
    this.el = h('div', { role: 'menu', 'aria-label': label, class: `popup-menu${options.horizontal ? ' is-horizontal' : ''}`, 'aria-orientation': options.horizontal ? 'horizontal' : 'vertical' }, ...this.items);
    this.el.addEventListener('keydown', (e) => this.onKeydown(e));
    this.el.addEventListener('click', (e) => {
      const item = (e.target as HTMLElement).closest<HTMLElement>('[data-item]');
      if (item) this.choose(item.dataset.item as string);
    });
  }

  /** Shows the menu in `container` at `place`, kept inside the window, and focuses the first item. */
  open(container: HTMLElement, place: MenuPlace): this {
    container.appendChild(this.el);
    const box = this.el.getBoundingClientRect();
    let x: number;
    let y: number;
    if ('anchor' in place) {
      const anchor = place.anchor.getBoundingClientRect();
      x = anchor.right - box.width;
      y = anchor.bottom + 4;
      if (y + box.height > window.innerHeight - 8) y = anchor.top - box.height - 4;
    } else {
      x = place.x;
      y = place.y;
    }
    // Positioned through the CSSOM: the CSP forbids style attributes in markup, not this.
    this.el.style.left = `${Math.max(8, Math.min(x, window.innerWidth - box.width - 8))}px`;
    this.el.style.top = `${Math.max(8, Math.min(y, window.innerHeight - box.height - 8))}px`;
    this.items[0]?.focus();
    // After this event's own dispatch: the press that opened the menu is not a press outside it.
    setTimeout(() => {
      if (this.closed) return;
      document.addEventListener('pointerdown', this.onOutside, true);
      document.addEventListener('focusin', this.onOutside, true);
    });
    return this;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Removes the menu; focus goes back to where it came from unless the person moved it elsewhere. */
  close(restoreFocus = true): void {
    if (this.closed) return;
    this.closed = true;
    document.removeEventListener('pointerdown', this.onOutside, true);
    document.removeEventListener('focusin', this.onOutside, true);
    this.el.remove();
    if (restoreFocus && this.returnFocus?.isConnected) this.returnFocus.focus();
    this.onClose?.();
  }

  private choose(id: string): void {
    this.close();
    this.onChoose(id);
  }

  private onKeydown(e: KeyboardEvent): void {
    const index = this.items.indexOf(document.activeElement as HTMLButtonElement);
    const n = this.items.length;
    let next: number | null = null;
    switch (e.key) {
      case 'ArrowDown':
      case 'ArrowRight':
        next = (index + 1) % n;
        break;
      case 'ArrowUp':
      case 'ArrowLeft':
        next = (index - 1 + n) % n;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = n - 1;
        break;
      case 'Escape':
        e.preventDefault();
        e.stopPropagation();
        this.close();
        return;
      case 'Tab':
        this.close(false);
        return;
      default:
        return;
    }
    e.preventDefault();
    this.items[next]?.focus();
  }
}

import { h, replaceChildren } from './dom';

type Child = Parameters<typeof replaceChildren>[1];

let dialogCount = 0;

/**
 * A modal dialog over the page: role dialog with aria-modal, labelled by its
 * heading; focus moves into it, Tab and Shift+Tab stay inside it, Escape or a
 * press on the backdrop cancels, and on closing focus returns to where it was.
 * The content is the caller's; `close()` ends it from inside.
 */
export class ModalDialog {
  readonly el: HTMLElement;
  readonly body: HTMLElement;
  private readonly backdrop: HTMLElement;
  private readonly returnFocus: HTMLElement | null;
  private closed = false;

  constructor(title: string, private readonly onClose: () => void = () => undefined, options: { className?: string } = {}) {
    const id = `dialog-title-${++dialogCount}`;
    this.returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    this.body = h('div', { class: 'dialog-body' });
    this.el = h('div', { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': id, class: `dialog ${options.className ?? ''}`.trim() },
      h('h2', { id, class: 'dialog-title' }, title),
      this.body);
    this.backdrop = h('div', { class: 'dialog-backdrop' }, this.el);
    this.backdrop.addEventListener('keydown', (e) => this.onKeydown(e));
    this.backdrop.addEventListener('pointerdown', (e) => {
      if (e.target === this.backdrop) this.close();
    });
  }

  /** Fills the dialog's body. */
  setContent(...children: Child[]): void {
    replaceChildren(this.body, ...children);
  }

  /** Adds the dialog to the page and focuses `focus` (else its first focusable element). */
  open(focus?: HTMLElement): this {
    document.body.appendChild(this.backdrop);
    (focus ?? this.focusable()[0] ?? this.el).focus();
    return this;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.backdrop.remove();
    if (this.returnFocus?.isConnected) this.returnFocus.focus();
    this.onClose();
  }

  private focusable(): HTMLElement[] {
    return [...this.el.querySelectorAll<HTMLElement>('button, input, textarea, select, a[href], [tabindex="0"]')].filter(
      (el) => !(el as HTMLButtonElement).disabled && !el.closest('[hidden]'),
    );
  }

  private onKeydown(e: KeyboardEvent): void {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      this.close();
      return;
    }
    if (e.key !== 'Tab') return;
    const items = this.focusable();
    const first = items[0];
    const last = items.at(-1);
    if (!first || !last) {
      e.preventDefault();
      return;
    }
    if (e.shiftKey && (document.activeElement === first || !this.el.contains(document.activeElement))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  }
}

/** Asks a yes/no question in a modal dialog; resolves true only when the person confirms. */
export function confirmDialog(options: { title: string; text: string; confirm: string; cancel?: string; danger?: boolean }): Promise<boolean> {
  return new Promise((resolve) => {
    let answer = false;
    const dialog = new ModalDialog(options.title, () => resolve(answer), { className: 'confirm-dialog' });
    const cancel = h('button', { type: 'button', class: 'ghost' }, options.cancel ?? 'Cancel');
    const confirm = h('button', { type: 'button', class: options.danger ? 'primary danger' : 'primary' }, options.confirm);
    cancel.addEventListener('click', () => dialog.close());
    confirm.addEventListener('click', () => {
      answer = true;
      dialog.close();
    });
    dialog.setContent(h('p', {}, options.text), h('div', { class: 'dialog-actions' }, cancel, confirm));
    // The safe answer has the focus: Enter right away does not delete anything.
    dialog.open(cancel);
  });
}

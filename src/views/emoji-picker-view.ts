import { h, replaceChildren } from './dom';
import { loadEmojiCatalogue, searchEmoji, type EmojiEntry, type EmojiGroup } from './emoji-catalogue';
import { ModalDialog } from './modal-dialog';

/** Columns of the grid; the arrow keys move by one, Up and Down by a row. */
const COLUMNS = 8;

/**
 * The full reaction picker: a modal dialog with a search field over the
 * whole emoji set, loaded on first open. The grid is one tab stop (a roving
 * tabindex): Tab goes from the field to the grid, arrows move inside it,
 * Enter chooses. `onPick` gets the emoji; the dialog then closes.
 */
export class EmojiPickerView {
  private readonly dialog: ModalDialog;
  private readonly search = h('input', { type: 'search', id: 'emoji-search', class: 'emoji-search', autocomplete: 'off', placeholder: 'Search by name' });
  private readonly status = h('p', { class: 'emoji-status', role: 'status' }, 'Loading emoji…');
  private readonly grid = h('div', { class: 'emoji-grid', role: 'group', 'aria-label': 'Emoji' });
  private groups: EmojiGroup[] = [];

  constructor(private readonly onPick: (emoji: string) => void, private readonly mine: (emoji: string) => boolean) {
    this.dialog = new ModalDialog('Choose a reaction', () => undefined, { className: 'emoji-picker' });
    const close = h('button', { type: 'button', class: 'ghost' }, 'Close');
    close.addEventListener('click', () => this.dialog.close());
    this.dialog.setContent(
      h('label', { for: 'emoji-search', class: 'visually-hidden' }, 'Search emoji'),
      this.search,
      this.status,
      this.grid,
      h('div', { class: 'dialog-actions' }, close),
    );
    this.search.addEventListener('input', () => this.renderGrid());
    this.grid.addEventListener('click', (e) => {
      const button = (e.target as HTMLElement).closest<HTMLElement>('[data-emoji]');
      if (button) this.pick(button.dataset.emoji as string);
    });
    this.grid.addEventListener('keydown', (e) => this.onGridKey(e));
  }

  open(): this {
    this.dialog.open(this.search);
    loadEmojiCatalogue().then(
      (groups) => {
        this.groups = groups;
        this.renderGrid();
      },
      () => {
        this.status.textContent = 'The emoji could not be loaded. Check the connection and open the picker again.';
      },
    );
    return this;
  }

  close(): void {
    this.dialog.close();
  }

  private pick(emoji: string): void {
    this.dialog.close();
    this.onPick(emoji);
  }

  private renderGrid(): void {
    if (this.groups.length === 0) return;
    const query = this.search.value.trim();
    const found: EmojiEntry[] = searchEmoji(this.groups, query);
    this.status.textContent = query ? (found.length === 0 ? 'No emoji match.' : `${found.length} emoji match.`) : '';
    replaceChildren(this.grid, ...found.map((entry, i) =>
      h('button', {
        type: 'button', class: 'emoji-option', 'data-emoji': entry.emoji, 'aria-label': entry.name, title: entry.name,
        'aria-pressed': String(this.mine(entry.emoji)), tabindex: i === 0 ? 0 : -1,
      }, entry.emoji)));
  }

  private onGridKey(e: KeyboardEvent): void {
    const buttons = [...this.grid.querySelectorAll<HTMLButtonElement>('.emoji-option')];
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (index < 0) return;
    const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS };
    let next: number;
    if (e.key in moves) next = index + (moves[e.key] ?? 0);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = buttons.length - 1;
    else return;
    e.preventDefault();
    const target = buttons[Math.max(0, Math.min(buttons.length - 1, next))];
    if (!target) return;
    buttons[index]?.setAttribute('tabindex', '-1');
    target.setAttribute('tabindex', '0');
    target.focus();
  }
}

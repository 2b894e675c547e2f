import Backbone from 'backbone';
import { h, replaceChildren } from './dom';
import { firstLine } from './message-parts';
import { ModalDialog } from './modal-dialog';
import type { ViewCore } from './view-core';

/**
 * "Info" of one's own message in a group: a dialog listing who has read it
 * and who has it delivered but not read. While it is open the core follows
 * the conversation's receipts (`watchReceipts`), and every
 * `receipts:change` for it redraws the two lists.
 */
export class SeenByView extends Backbone.View {
  private readonly dialog: ModalDialog;
  private readonly lists = h('div', { class: 'seen-by-lists', 'aria-live': 'polite' });
  private stopWatching: (() => void) | null = null;

  constructor(
    private readonly core: ViewCore,
    private readonly conversationId: string,
    private readonly seq: number,
    body: string,
    private readonly nameOf: (id: string) => string,
  ) {
    super();
    this.dialog = new ModalDialog('Message info', () => this.stop(), { className: 'seen-by' });
    const close = h('button', { type: 'button', class: 'ghost' }, 'Close');
    close.addEventListener('click', () => this.dialog.close());
    this.dialog.setContent(h('blockquote', { class: 'seen-by-message' }, firstLine(body)), this.lists, h('div', { class: 'dialog-actions' }, close));
    this.listenTo(core.dispatch, 'receipts:change', (conversationId: string) => {
      if (conversationId === this.conversationId) this.renderLists();
    });
  }

  open(): this {
    this.stopWatching = this.core.receipts.watchReceipts(this.conversationId);
    this.renderLists();
    this.dialog.open();
    return this;
  }

  close(): void {
    this.dialog.close();
  }

  private stop(): void {
    this.stopWatching?.();
    this.stopWatching = null;
    this.stopListening();
  }

  private renderLists(): void {
    const { read, delivered } = this.core.receipts.seenBy(this.conversationId, this.seq);
    replaceChildren(this.lists, this.section('seen-by-read', 'Read by', read, 'Nobody has read it yet.'), this.section('seen-by-delivered', 'Delivered to', delivered, 'Nobody else is waiting to read it.'));
  }

  private section(id: string, title: string, userIds: string[], empty: string): HTMLElement {
    const names = userIds.map(this.nameOf).sort((a, b) => a.localeCompare(b));
    return h('section', { class: 'seen-by-section', 'aria-labelledby': id },
      h('h3', { id }, `${title} (${names.length})`),
      names.length > 0 ? h('ul', {}, ...names.map((name) => h('li', {}, name))) : h('p', { class: 'muted' }, empty));
  }
}

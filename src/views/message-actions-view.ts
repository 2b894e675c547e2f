import Backbone from 'backbone';
import type { MessageView } from '../core/client-core-api';
import type { ComposerView } from './composer-view';
import { QUICK_REACTIONS } from './emoji-catalogue';
import { EmojiPickerView } from './emoji-picker-view';
import type { MessageListView } from './message-list-view';
import type { MessageLookup } from './message-lookup';
import { ACTION_LABELS, messageActions, type MessageAction } from './message-parts';
import { confirmDialog } from './modal-dialog';
import { PopupMenu, type MenuPlace } from './popup-menu';
import type { ReplyQuotes } from './reply-quotes';
import { messageKey } from './message-rows';
import { SeenByView } from './seen-by-view';
import type { MessageModel, ViewCore } from './view-core';

/** A touch held this long opens the message's menu, as a context menu would. */
const LONG_PRESS_MS = 500;
/** A touch that moves further than this is a scroll, not a long press. */
const LONG_PRESS_SLOP = 10;

export interface MessageActionsOptions {
  /** The element around the message list (delegation root); it stays the conversation view's. */
  el: HTMLElement;
  core: ViewCore;
  conversationId: string;
  selfId: string | undefined;
  isGroup(): boolean;
  lookup: MessageLookup;
  quotes: ReplyQuotes;
  list: MessageListView;
  /** The composer, or null once the person was removed from the conversation (then only Info is offered). */
  composer(): ComposerView | null;
  /** A person's name as the conversation shows it ("You" for oneself). */
  personName(id: string): string;
}

/**
 * What a person does to a message (version 2): the menu (its button, the
 * context menu, a long press, Shift+F10 on a row) with Reply, React, Edit,
 * Delete for everyone and Info; the reaction pickers; the chips that toggle
 * one's reaction; a quote that leads to its original; Retry and Dismiss of
 * a failed change. It listens on the element around the list, so the
 * virtual list's rows, built and dropped as they scroll, need no listeners.
 */
export class MessageActionsView extends Backbone.View {
  private menu: PopupMenu | null = null;
  private pressTimer: ReturnType<typeof setTimeout> | undefined;
  private pressStart: { x: number; y: number } | null = null;
  private readonly o: MessageActionsOptions;

  override preinitialize(): void {
    this.events = {
      'click .message-menu-button': 'onMenuButton',
      'contextmenu .row-message': 'onContextMenu',
      'keydown .row-message': 'onRowKeydown',
      'pointerdown .row-message': 'onPressStart',
      'pointermove .row-message': 'onPressMove',
      'pointerup .row-message': 'onPressEnd',
      'pointercancel .row-message': 'onPressEnd',
      'click .reaction-chip': 'onChip',
      'click .quote[data-quote]': 'onQuote',
      'click [data-retry-change]': 'onRetryChange',
      'click [data-dismiss-change]': 'onDismissChange',
    };
  }

  constructor(options: MessageActionsOptions) {
    super({ el: options.el });
    this.o = options;
  }

  /** Stops listening and closes what is open; the element stays, it belongs to the conversation view. */
  override remove(): this {
    clearTimeout(this.pressTimer);
    this.menu?.close(false);
    this.undelegateEvents();
    this.stopListening();
    return this;
  }

  /** What the menu offers for `model`: a removed member may still look, not write. */
  private actionsOf(model: MessageModel): MessageAction[] {
    const actions = messageActions(model.attributes as MessageView, this.o.selfId, this.o.isGroup());
    return this.o.composer() ? actions : actions.filter((a) => a === 'info');
  }

  /** Opens the menu of `model` at `place`; nothing when it offers no action (a deleted message). */
  openMenu(model: MessageModel, place: MenuPlace, returnFocus: HTMLElement | null): void {
    const actions = this.actionsOf(model);
    if (actions.length === 0) return;
    this.menu?.close(false);
    this.menu = new PopupMenu('Message actions',
      actions.map((id) => ({ id, label: ACTION_LABELS[id], danger: id === 'delete' })),
      (id) => this.run(id as MessageAction, model, place, returnFocus),
      returnFocus).open(document.body, place);
  }

  private run(action: MessageAction, model: MessageModel, place: MenuPlace, returnFocus: HTMLElement | null): void {
    const m = model.attributes as MessageView;
    switch (action) {
      case 'reply':
        this.o.composer()?.reply(model, this.o.personName(m.senderId));
        break;
      case 'edit':
        this.o.composer()?.edit(model);
        break;
      case 'react':
        this.openReactions(model, place, returnFocus);
        break;
      case 'delete':
        void this.confirmDelete(model);
        break;
      case 'info':
        if (m.seq !== null) new SeenByView(this.o.core, this.o.conversationId, m.seq, m.body, this.o.personName).open();
        break;
    }
  }

  /** The quick picker: six common reactions (checked when given) and the way to the full set. */
  private openReactions(model: MessageModel, place: MenuPlace, returnFocus: HTMLElement | null): void {
    const items = QUICK_REACTIONS.map((r) => ({ id: r.emoji, label: r.emoji, ariaLabel: r.name, checked: this.isMine(model, r.emoji) }));
    this.menu = new PopupMenu('React with', [...items, { id: 'more', label: '…', ariaLabel: 'More emoji' }], (id) => {
      if (id === 'more') new EmojiPickerView((emoji) => this.toggle(model, emoji), (emoji) => this.isMine(model, emoji)).open();
      else this.toggle(model, id);
    }, returnFocus, { horizontal: true }).open(document.body, place);
  }

  private isMine(model: MessageModel, emoji: string): boolean {
    const selfId = this.o.selfId;
    return selfId !== undefined && (model.get('reactions')?.[emoji] ?? []).includes(selfId);
  }

  /** Gives the reaction, or takes it back when it was given. */
  private toggle(model: MessageModel, emoji: string): void {
    this.o.core.outbox.react(this.o.conversationId, model.get('id') as string, emoji, !this.isMine(model, emoji));
  }

  private async confirmDelete(model: MessageModel): Promise<void> {
    const confirmed = await confirmDialog({
      title: 'Delete for everyone?',
      text: 'The message will be replaced by "This message was deleted" for everyone in this conversation, and its text removed from their devices.',
      confirm: 'Delete for everyone',
      danger: true,
    });
    if (!confirmed || model.get('deletedAt')) return;
    this.o.core.outbox.deleteMessage(this.o.conversationId, model.get('id') as string);
  }

  private modelOf(target: EventTarget | null): { model: MessageModel; row: HTMLElement } | null {
    const row = (target as HTMLElement | null)?.closest<HTMLElement>('.row-message');
    const model = row?.dataset.key ? this.o.lookup.byRowKey(row.dataset.key) : undefined;
    return row && model ? { model, row } : null;
  }

  private onMenuButton(e: JQuery.TriggeredEvent): void {
    const found = this.modelOf(e.currentTarget);
    if (!found) return;
    const button = e.currentTarget as HTMLElement;
    this.openMenu(found.model, { anchor: button }, button);
  }

  private onContextMenu(e: JQuery.TriggeredEvent): void {
    const found = this.modelOf(e.currentTarget);
    // A link keeps the browser's own menu (copy the address); so does a message without actions.
    if (!found || (e.target as HTMLElement).closest('a')) return;
    if (this.actionsOf(found.model).length === 0) return;
    e.preventDefault();
    if (this.menu?.isOpen) return; // the long press already opened it
    const event = e.originalEvent as MouseEvent;
    this.openMenu(found.model, { x: event.clientX, y: event.clientY }, found.row.querySelector<HTMLElement>('.message-menu-button'));
  }

  /** Shift+F10 or the context-menu key on a row (or its menu button) opens the menu from the keyboard. */
  private onRowKeydown(e: JQuery.KeyDownEvent): void {
    if (!(e.key === 'ContextMenu' || (e.key === 'F10' && e.shiftKey))) return;
    const found = this.modelOf(e.currentTarget);
    if (!found) return;
    e.preventDefault();
    const button = found.row.querySelector<HTMLElement>('.message-menu-button');
    this.openMenu(found.model, button ? { anchor: button } : { anchor: found.row }, button);
  }

  private onPressStart(e: JQuery.TriggeredEvent): void {
    const event = e.originalEvent as PointerEvent;
    if (event.pointerType !== 'touch') return;
    const found = this.modelOf(e.currentTarget);
    if (!found) return;
    this.pressStart = { x: event.clientX, y: event.clientY };
    clearTimeout(this.pressTimer);
    this.pressTimer = setTimeout(() => {
      this.pressStart = null;
      this.openMenu(found.model, { x: event.clientX, y: event.clientY }, found.row.querySelector<HTMLElement>('.message-menu-button'));
    }, LONG_PRESS_MS);
  }

  private onPressMove(e: JQuery.TriggeredEvent): void {
    const event = e.originalEvent as PointerEvent;
    if (this.pressStart && Math.hypot(event.clientX - this.pressStart.x, event.clientY - this.pressStart.y) > LONG_PRESS_SLOP) this.onPressEnd();
  }

  private onPressEnd(): void {
    this.pressStart = null;
    clearTimeout(this.pressTimer);
  }

  private onChip(e: JQuery.TriggeredEvent): void {
    const found = this.modelOf(e.currentTarget);
    const emoji = (e.currentTarget as HTMLElement).dataset.emoji;
    if (found && emoji) this.toggle(found.model, emoji);
  }

  /** Goes to the quoted original, fetching it first when this device does not hold it. */
  private onQuote(e: JQuery.TriggeredEvent): void {
    const id = (e.currentTarget as HTMLElement).dataset.quote as string;
    const quote = e.currentTarget as HTMLElement;
    quote.setAttribute('aria-busy', 'true');
    this.o.quotes.original(id).then(
      (model) => {
        quote.removeAttribute('aria-busy');
        if (model) this.o.list.showMessage(rowKeyOf(model));
      },
      () => quote.removeAttribute('aria-busy'),
    );
  }

  private onRetryChange(e: JQuery.TriggeredEvent): void {
    this.o.core.outbox.retry((e.currentTarget as HTMLElement).dataset.retryChange as string);
  }

  private onDismissChange(e: JQuery.TriggeredEvent): void {
    this.o.core.outbox.dismiss((e.currentTarget as HTMLElement).dataset.dismissChange as string);
  }
}

function rowKeyOf(model: MessageModel): string {
  return messageKey(model.attributes as MessageView);
}

import Backbone from 'backbone';
import { h } from './dom';
import { ConversationItemView } from './conversation-item-view';
import type { ConversationModel, ViewCore } from './view-core';

/**
 * The sidebar's list of conversations, newest activity first. Item views are
 * kept per conversation and only moved when the order changes.
 */
export class ConversationListView extends Backbone.View {
  private readonly items = new Map<string, ConversationItemView>();
  private selectedId: string | null = null;
  private refreshQueued = false;

  override preinitialize(): void {
    this.tagName = 'ul';
    this.className = 'conversation-list';
    this.events = { 'keydown button': 'onKeydown' };
  }

  constructor(private readonly core: ViewCore, private readonly onSelect: (id: string) => void) {
    super();
    this.el.setAttribute('aria-label', 'Conversations');
    const conversations = core.collections.conversations;
    this.listenTo(conversations, 'add', this.addItem);
    this.listenTo(conversations, 'remove', this.removeItem);
    this.listenTo(conversations, 'reset sort change:updatedAt change:latestSeq', this.queueRefresh);
    // Previews and unread counts follow the messages; names follow the contacts.
    this.listenTo(core.dispatch, 'store:change:messages', this.queueRefresh);
    this.listenTo(core.collections.contacts, 'change add reset', this.queueRefresh);
    // A mute dims the conversation's count.
    this.listenTo(core.dispatch, 'store:change:preferences', this.queueRefresh);
    this.listenTo(core.dispatch, 'typing:change', (e: { conversationId: string; userIds: string[] }) => {
      this.items.get(e.conversationId)?.setTyping(e.userIds);
    });
  }

  /** Builds every item once; the first paint then needs no second pass (no refresh is queued). */
  override render(): this {
    for (const model of this.core.collections.conversations.models) this.createItem(model);
    this.order();
    return this;
  }

  select(id: string | null): void {
    this.selectedId = id;
    for (const [itemId, view] of this.items) view.setSelected(itemId === id);
  }

  override remove(): this {
    for (const view of this.items.values()) view.remove();
    this.items.clear();
    return super.remove();
  }

  /** Up/Down/Home/End move between conversations, as in a listbox. */
  private onKeydown(e: JQuery.KeyDownEvent): void {
    const buttons = [...this.el.querySelectorAll<HTMLButtonElement>('.conversation-button')];
    const index = buttons.indexOf(e.currentTarget as HTMLButtonElement);
    const target = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: buttons.length - 1 }[e.key as string];
    if (target === undefined || !buttons[target]) return;
    e.preventDefault();
    buttons[target].focus();
  }

  /** A conversation that arrived after the first render: its place in the order comes with the next refresh. */
  private addItem(model: ConversationModel): void {
    if (this.createItem(model)) this.queueRefresh();
  }

  private createItem(model: ConversationModel): boolean {
    const id = model.id as string;
    if (this.items.has(id)) return false;
    const view = new ConversationItemView(model, this.core, this.onSelect);
    this.items.set(id, view);
    view.render().setSelected(id === this.selectedId);
    return true;
  }

  private removeItem(model: ConversationModel): void {
    const id = model.id as string;
    this.items.get(id)?.remove();
    this.items.delete(id);
  }

  /** Batches bursts of store events into one re-render per frame. */
  private queueRefresh(): void {
    if (this.refreshQueued) return;
    this.refreshQueued = true;
    requestAnimationFrame(() => {
      this.refreshQueued = false;
      for (const view of this.items.values()) view.render();
      this.order();
    });
  }

  private order(): void {
    // The collection keeps the list's one order (newest activity first).
    const models = this.core.collections.conversations.models;
    let previous: Element | null = null;
    for (const model of models) {
      const el = this.items.get(model.id as string)?.el;
      if (!el) continue;
      const expected: Element | null = previous ? previous.nextElementSibling : this.el.firstElementChild;
      if (expected !== el) {
        if (previous) previous.after(el);
        else this.el.prepend(el);
      }
      previous = el;
    }
    this.el.querySelector('.empty-note')?.remove();
    if (models.length === 0) this.el.append(h('li', { class: 'empty-note' }, 'No conversations yet. Add a contact to start one.'));
  }
}

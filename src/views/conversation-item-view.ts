import Backbone from 'backbone';
import { h, replaceChildren } from './dom';
import { initials, listTime } from './format';
import { attrs, conversationTitle, messageAttributes, type ConversationModel, type ViewCore } from './view-core';

/**
 * One conversation in the sidebar: a button with the title, the time and a
 * preview of the last message, and the unread count.
 */
export class ConversationItemView extends Backbone.View<ConversationModel> {
  private typingNames: string[] = [];

  override preinitialize(): void {
    this.tagName = 'li';
    this.className = 'conversation-item';
    this.events = { 'click button': 'onClick' };
  }

  constructor(model: ConversationModel, private readonly core: ViewCore, private readonly onSelect: (id: string) => void) {
    super({ model });
    this.listenTo(model, 'change', this.render);
  }

  override render(): this {
    const model = this.model as ConversationModel;
    const conversation = attrs(model);
    const self = this.core.session.currentUser();
    const title = conversationTitle(conversation, this.core.collections.contacts, self?.id);
    const last = messageAttributes(model.lastMessage());
    const unread = model.unreadCount();
    let preview = last ? `${last.senderId === self?.id ? 'You: ' : ''}${last.body}` : 'No messages yet';
    if (this.typingNames.length > 0) preview = 'typing…';
    const time = last?.sentAt ?? (conversation.latestSeq > 0 ? conversation.updatedAt : null);
    replaceChildren(this.el,
      // The button's name is its text, title first: "Bob 12:05 You: see you 2 unread".
      h('button', {
        type: 'button', class: 'conversation-button', 'data-id': conversation.id,
        'aria-current': this.el.classList.contains('is-selected') ? 'true' : null,
      },
        h('span', { class: `avatar ${conversation.kind === 'group' ? 'is-group' : ''}`, 'aria-hidden': 'true' }, initials(title)),
        h('span', { class: 'conversation-main' },
          h('span', { class: 'conversation-top' },
            h('span', { class: 'conversation-title' }, title),
            time ? h('time', { class: 'conversation-time', datetime: new Date(time).toISOString() }, listTime(time)) : null),
          h('span', { class: 'conversation-bottom' },
            h('span', { class: `conversation-preview ${this.typingNames.length ? 'is-typing' : ''}` }, preview.slice(0, 140)),
            unread > 0 ? h('span', { class: 'unread-badge' }, unread > 99 ? '99+' : String(unread), h('span', { class: 'visually-hidden' }, ' unread')) : null)),
      ),
    );
    return this;
  }

  setSelected(selected: boolean): void {
    this.el.classList.toggle('is-selected', selected);
    const button = this.el.querySelector('button');
    if (selected) button?.setAttribute('aria-current', 'true');
    else button?.removeAttribute('aria-current');
  }

  setTyping(names: string[]): void {
    if (names.join() === this.typingNames.join()) return;
    this.typingNames = names;
    this.render();
  }

  private onClick(): void {
    this.onSelect((this.model as ConversationModel).id as string);
  }
}

import Backbone from 'backbone';
import { h, replaceChildren } from './dom';
import { initials, listTime } from './format';
import { hidesMessagesFrom } from '../models/contact-standing';
import { personOf } from './people';
import { conversationTitleNode } from './person-name';
import { isSystemEntry, systemLineText, type SystemEntry } from './system-line';
import { attrs, contactFinder, conversationTitle, messageAttributes, type ConversationModel, type ViewCore } from './view-core';

/**
 * One conversation in the sidebar: a button with the title, the time and a
 * preview of the last message, and the unread count.
 */
export class ConversationItemView extends Backbone.View<ConversationModel> {
  private typingNames: string[] = [];
  private readonly button = h('button', { type: 'button', class: 'conversation-button' });

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
    // A muted conversation keeps its count here, dimmed; it is left out of the tab's.
    const muted = this.core.notifications.isMuted(conversation.id);
    this.el.classList.toggle('is-muted', muted);
    const contacts = contactFinder(this.core.collections.contacts);
    let preview = 'No messages yet';
    // A change of members or title, as the history words it.
    if (last && isSystemEntry(last)) preview = systemLineText(last as SystemEntry, (id) => personOf(this.core, id));
    else if (last && last.senderId !== self?.id && hidesMessagesFrom(contacts, last.senderId)) preview = 'Message from a blocked person';
    else if (last) preview = `${last.senderId === self?.id ? 'You: ' : ''}${last.body}`;
    if (this.typingNames.length > 0) preview = 'typing…';
    const time = last?.sentAt ?? (conversation.latestSeq > 0 ? conversation.updatedAt : null);
    // The button stays the same element across renders (only its contents are
    // replaced), so keyboard focus on it survives a message arriving.
    if (!this.button.isConnected) replaceChildren(this.el, this.button);
    this.button.dataset.id = conversation.id;
    if (this.el.classList.contains('is-selected')) this.button.setAttribute('aria-current', 'true');
    else this.button.removeAttribute('aria-current');
    // The button's name is its text, title first: "Bob 12:05 You: see you 2 unread".
    replaceChildren(this.button,
      h('span', { class: `avatar ${conversation.kind === 'group' ? 'is-group' : ''}`, 'aria-hidden': 'true' }, initials(title)),
      h('span', { class: 'conversation-main' },
        h('span', { class: 'conversation-top' },
          h('span', { class: 'conversation-title' }, ...conversationTitleNode(conversation, contacts, self?.id)),
          muted ? h('span', { class: 'muted-mark', title: 'Muted' }, h('span', { 'aria-hidden': 'true' }, '🔕'), h('span', { class: 'visually-hidden' }, ' muted')) : null,
          time ? h('time', { class: 'conversation-time', datetime: new Date(time).toISOString() }, listTime(time)) : null),
        h('span', { class: 'conversation-bottom' },
          h('span', { class: `conversation-preview ${this.typingNames.length ? 'is-typing' : ''}` }, preview.slice(0, 140)),
          unread > 0 ? h('span', { class: 'unread-badge' }, unread > 99 ? '99+' : String(unread), h('span', { class: 'visually-hidden' }, ' unread')) : null)),
    );
    return this;
  }

  setSelected(selected: boolean): void {
    this.el.classList.toggle('is-selected', selected);
    if (selected) this.button.setAttribute('aria-current', 'true');
    else this.button.removeAttribute('aria-current');
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

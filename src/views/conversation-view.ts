import Backbone from 'backbone';
import type { MessageView } from '../core/client-core-api';
import { ComposerView } from './composer-view';
import { h, replaceChildren } from './dom';
import { icon } from './icons';
import { initials, presenceLabel } from './format';
import { MessageListView } from './message-list-view';
import { displayState } from './message-state';
import { attrs, contactName, conversationTitle, type ConversationModel, type ViewCore } from './view-core';

/**
 * The open conversation: header with presence, the virtual message list, the
 * typing indicator and the composer. It tells the core which conversation is
 * on screen, so its messages are marked read while the tab is visible.
 */
export class ConversationView extends Backbone.View<ConversationModel> {
  private list!: MessageListView;
  private composer!: ComposerView;
  private header!: HTMLElement;
  private typingEl!: HTMLElement;
  private readonly onVisibility = () => this.reportVisible();

  override preinitialize(): void {
    this.tagName = 'section';
    this.className = 'conversation';
    this.events = {
      'click [data-retry]': 'onRetry',
      'click [data-discard]': 'onDiscard',
      'click .back-button': 'onBack',
      'click .jump-latest': 'onJumpLatest',
      keydown: 'onKeydown',
    };
  }

  constructor(model: ConversationModel, private readonly core: ViewCore, private readonly onBackToList: () => void) {
    super({ model });
    this.el.setAttribute('aria-labelledby', 'conversation-title');
    const id = model.id as string;
    this.listenTo(model, 'change:title change:memberIds', this.renderHeader);
    this.listenTo(model, 'change:members', () => this.list.refreshVisible());
    this.listenTo(core.collections.contacts, 'change add', this.renderHeader);
    this.listenTo(core.dispatch, 'typing:change', (e: { conversationId: string; userIds: string[] }) => {
      if (e.conversationId === id) this.renderTyping(e.userIds);
    });
  }

  override render(): this {
    const model = this.model as ConversationModel;
    const id = model.id as string;
    const self = this.core.session.currentUser();
    this.header = h('header', { class: 'conversation-header' });
    this.typingEl = h('div', { class: 'typing-indicator', 'aria-live': 'polite' });
    this.list = new MessageListView(this.core.collections.messagesFor(id), {
      selfId: self?.id,
      isGroup: attrs(model).kind === 'group',
      senderName: (senderId) => contactName(this.core.collections.contacts, senderId),
      stateOf: (message: MessageView) => displayState(message, attrs(model), self?.id),
    }, () => this.core.history.loadOlder(id));
    this.composer = new ComposerView(
      (body) => {
        this.core.outbox.send(id, body);
        this.list.scrollToBottom();
      },
      (typing) => this.core.typing.setTyping(id, typing),
      () => this.core.collections.draftFor(id),
    );
    const loader = h('div', { class: 'history-loader', role: 'status', hidden: true }, 'Loading older messages…');
    this.listenTo(this.list, 'loading', (loading: boolean) => { loader.hidden = !loading; });
    const jump = h('button', { type: 'button', class: 'jump-latest', hidden: true }, 'New messages ', icon('down'));
    this.listenTo(this.list, 'unseen', (unseen: boolean) => { jump.hidden = !unseen; });
    replaceChildren(this.el, this.header, h('div', { class: 'message-area' }, loader, this.list.el, jump), this.typingEl, this.composer.render().el);
    this.renderHeader();
    this.renderTyping(this.core.typing.typers(id));
    return this;
  }

  /**
   * Shows one message (a search result): the history controller brings it
   * and the history around it into the store (paging back to it when it is
   * near), then the list scrolls to it. Resolves false when it cannot be had.
   */
  async showMessage(messageId: string): Promise<boolean> {
    if (this.list.scrollToMessage(messageId)) return true;
    const held = await this.core.history.ensureMessage(this.model.id as string, messageId).catch(() => false);
    // The collection follows the store within the task that changed it; the rows are built a frame later.
    await new Promise((resolve) => requestAnimationFrame(resolve));
    return held && this.list.scrollToMessage(messageId);
  }

  /** Call once the view is in the document: measures the list, focuses the composer, reports visibility. */
  attached(): void {
    this.list.render();
    this.composer.focus();
    document.addEventListener('visibilitychange', this.onVisibility);
    this.reportVisible();
  }

  override remove(): this {
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.core.receipts.setVisibleConversation(null);
    this.list?.remove();
    this.composer?.remove();
    return super.remove();
  }

  private reportVisible(): void {
    this.core.receipts.setVisibleConversation(document.visibilityState === 'hidden' ? null : (this.model?.id as string));
  }

  private renderHeader(): void {
    const conversation = attrs(this.model as ConversationModel);
    const self = this.core.session.currentUser();
    const contacts = this.core.collections.contacts;
    const title = conversationTitle(conversation, contacts, self?.id);
    const others = conversation.memberIds.filter((m) => m !== self?.id);
    let subtitle: string;
    if (conversation.kind === 'direct') {
      const other = others[0] ? contacts.get(others[0]) : undefined;
      subtitle = other ? presenceLabel(attrs(other).online, attrs(other).lastSeenAt) : '';
    } else {
      subtitle = ['You', ...others.map((m) => contactName(contacts, m))].join(', ');
    }
    replaceChildren(this.header,
      h('button', { type: 'button', class: 'back-button icon-button', 'aria-label': 'Back to conversations' }, icon('back')),
      h('span', { class: `avatar ${conversation.kind === 'group' ? 'is-group' : ''}`, 'aria-hidden': 'true' }, initials(title)),
      h('div', { class: 'conversation-heading' },
        h('h2', { id: 'conversation-title' }, title),
        h('p', { class: 'conversation-subtitle' }, subtitle)),
    );
  }

  private renderTyping(userIds: string[]): void {
    const self = this.core.session.currentUser();
    const names = userIds.filter((u) => u !== self?.id).map((u) => contactName(this.core.collections.contacts, u));
    let text = '';
    if (names.length === 1) text = `${names[0]} is typing…`;
    else if (names.length === 2) text = `${names[0]} and ${names[1]} are typing…`;
    else if (names.length > 2) text = 'Several people are typing…';
    this.typingEl.textContent = text;
    this.typingEl.classList.toggle('is-active', text !== '');
  }

  private onRetry(e: JQuery.TriggeredEvent): void {
    this.core.outbox.retry((e.currentTarget as HTMLElement).dataset.retry as string);
  }

  /**
   * Delete on a message that did not go: its echo is destroyed through the
   * store, which drops the outbox entry. The row goes once the store has let
   * it go (`wait`); one the server stored meanwhile is refused and stays, as sent.
   */
  private onDiscard(e: JQuery.TriggeredEvent): void {
    const clientMessageId = (e.currentTarget as HTMLElement).dataset.discard;
    const echo = this.core.collections.messagesFor(this.model?.id as string).find((m) => m.get('clientMessageId') === clientMessageId && m.get('seq') === null);
    const destroyed = echo?.destroy({ wait: true });
    if (destroyed) Promise.resolve(destroyed).catch((error: unknown) => console.warn('could not discard the message', error));
  }

  /** Escape goes back to the list where the layout shows one pane at a time. */
  private onKeydown(e: JQuery.KeyDownEvent): void {
    if (e.key === 'Escape' && window.matchMedia('(max-width: 720px)').matches) this.onBackToList();
  }

  private onJumpLatest(): void {
    this.list.scrollToBottom();
    this.list.el.focus();
  }

  private onBack(): void {
    this.onBackToList();
  }
}

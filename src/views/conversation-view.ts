import Backbone from 'backbone';
import type { MessageView } from '../core/client-core-api';
import { ComposerView } from './composer-view';
import { h, replaceChildren } from './dom';
import { icon } from './icons';
import { initials, presenceLabel } from './format';
import { GroupPanelView } from './group-panel-view';
import { MessageActionsView } from './message-actions-view';
import { MessageListView, type ListPosition } from './message-list-view';
import { MessageLookup } from './message-lookup';
import { messageKey } from './message-rows';
import type { Contact } from '../protocol';
import { displayState } from './message-state';
import { contactState, hidesMessagesFrom, isBlocked, isReachable } from '../models/contact-standing';
import { personOf } from './people';
import { conversationTitleNode, memberName } from './person-name';
import { ReplyQuotes } from './reply-quotes';
import { attrs, contactFinder, contactName, conversationTitle, type ConversationModel, type ViewCore } from './view-core';

/**
 * The open conversation: header with presence (a group's with its details
 * panel), the virtual message list, the typing indicator and the composer,
 * or, once the person was removed from the group, a bar saying so. It opens
 * at the first unread message, and tells the core which conversation is on
 * screen, so its messages are marked read while the tab is visible.
 */
export class ConversationView extends Backbone.View<ConversationModel> {
  private list!: MessageListView;
  private composer: ComposerView | null = null;
  private panel: GroupPanelView | null = null;
  private header!: HTMLElement;
  private typingEl!: HTMLElement;
  private lookup: MessageLookup | undefined;
  private actions: MessageActionsView | undefined;
  private footer!: HTMLElement;
  private jump!: HTMLButtonElement;
  /** Rows of blocked people's messages the person chose to see, by row key. */
  private readonly revealed = new Set<string>();
  private readonly onVisibility = () => this.reportVisible();

  override preinitialize(): void {
    this.tagName = 'section';
    this.className = 'conversation';
    this.events = {
      'click [data-retry]': 'onRetry',
      'click [data-discard]': 'onDiscard',
      'click .back-button': 'onBack',
      'click .jump-latest': 'onJumpLatest',
      'click .group-info-button': 'onOpenPanel',
      'click [data-system-retry]': 'onSystemRetry',
      'click [data-system-dismiss]': 'onSystemDismiss',
      'click [data-reveal]': 'onReveal',
      'click .mute-button': 'onMute',
      keydown: 'onKeydown',
    };
  }

  constructor(model: ConversationModel, private readonly core: ViewCore, private readonly onBackToList: () => void) {
    super({ model });
    this.el.setAttribute('aria-labelledby', 'conversation-title');
    const id = model.id as string;
    this.listenTo(model, 'change:title change:memberIds', this.renderHeader);
    this.listenTo(model, 'change:memberIds', this.renderFooter);
    this.listenTo(model, 'change:members', () => this.list.refreshVisible());
    this.listenTo(core.collections.contacts, 'change add remove', this.renderHeader);
    // Blocking or unblocking someone hides or shows their messages here.
    this.listenTo(core.collections.contacts, 'change:blocked remove', () => this.list?.refreshVisible());
    // Muted here or in another tab: the header's switch follows.
    this.listenTo(core.dispatch, 'store:change:preferences', this.renderHeader);
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
    const messages = this.core.collections.messagesFor(id);
    const lookup = (this.lookup = new MessageLookup(messages));
    const quotes = new ReplyQuotes(lookup, (messageId) => this.core.history.ensureMessage(id, messageId), (senderId) => this.personName(senderId), (ids) => this.list.refreshRepliesTo(ids));
    this.list = new MessageListView(messages, {
      selfId: self?.id,
      isGroup: attrs(model).kind === 'group',
      senderName: (senderId) => memberName(contactFinder(this.core.collections.contacts), senderId),
      stateOf: (message: MessageView) => displayState(message, attrs(model), self?.id),
      quoteOf: (replyTo) => quotes.quoteOf(replyTo),
      personName: (userId) => this.personName(userId),
      person: (userId) => personOf(this.core, userId),
      isHidden: (message: MessageView) =>
        hidesMessagesFrom(contactFinder(this.core.collections.contacts), message.senderId) && !this.revealed.has(messageKey(message)),
    }, () => this.core.history.loadOlder(id));
    // Read before the view reports itself visible, which moves the read position.
    const firstUnread = model.firstUnreadSeq();
    if (firstUnread !== null) this.list.landAt(firstUnread);
    const loader = h('div', { class: 'history-loader', role: 'status', hidden: true }, 'Loading older messages…');
    this.listenTo(this.list, 'loading', (loading: boolean) => { loader.hidden = !loading; });
    this.jump = h('button', { type: 'button', class: 'jump-latest', hidden: true });
    this.listenTo(this.list, 'position', this.renderJump);
    this.renderJump({ atBottom: true, unseen: 0 });
    this.footer = h('div', { class: 'conversation-footer' });
    const area = h('div', { class: 'message-area' }, loader, this.list.el, this.jump);
    replaceChildren(this.el, this.header, area, this.typingEl, this.footer);
    this.renderFooter();
    this.renderMessageActions(area, quotes);
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
    this.composer?.focus();
    document.addEventListener('visibilitychange', this.onVisibility);
    this.reportVisible();
  }

  override remove(): this {
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.core.receipts.setVisibleConversation(null);
    this.actions?.remove();
    this.lookup?.stop();
    this.panel?.remove();
    this.list?.remove();
    this.composer?.remove();
    return super.remove();
  }

  // Version 2: what a person does to a message (message-actions-view.ts).

  private renderMessageActions(area: HTMLElement, quotes: ReplyQuotes): void {
    const model = this.model as ConversationModel;
    this.actions?.remove();
    this.actions = new MessageActionsView({
      el: area,
      core: this.core,
      conversationId: model.id as string,
      selfId: this.core.session.currentUser()?.id,
      isGroup: () => attrs(model).kind === 'group',
      lookup: this.lookup as MessageLookup,
      quotes,
      list: this.list,
      composer: () => this.composer,
      personName: (userId) => this.personName(userId),
    });
  }

  /** A person as a message's parts name them: "You" for oneself. */
  private personName(userId: string): string {
    return userId === this.core.session.currentUser()?.id ? 'You' : contactName(this.core.collections.contacts, userId);
  }

  private reportVisible(): void {
    this.core.receipts.setVisibleConversation(document.visibilityState === 'hidden' ? null : (this.model?.id as string));
  }

  private renderHeader(): void {
    const conversation = attrs(this.model as ConversationModel);
    const self = this.core.session.currentUser();
    const title = conversationTitle(conversation, this.core.collections.contacts, self?.id);
    const find = contactFinder(this.core.collections.contacts);
    const others = conversation.memberIds.filter((m) => m !== self?.id);
    const subtitle: (string | HTMLElement)[] = conversation.kind === 'direct'
      ? [directStanding(others[0] ? find(others[0]) : undefined)]
      : ['You', ...others.flatMap((m) => [', ', memberName(find, m)])];
    replaceChildren(this.header,
      h('button', { type: 'button', class: 'back-button icon-button', 'aria-label': 'Back to conversations' }, icon('back')),
      h('span', { class: `avatar ${conversation.kind === 'group' ? 'is-group' : ''}`, 'aria-hidden': 'true' }, initials(title)),
      h('div', { class: 'conversation-heading' },
        h('h2', { id: 'conversation-title' }, ...conversationTitleNode(conversation, find, self?.id)),
        h('p', { class: 'conversation-subtitle' }, ...subtitle)),
      muteButton(this.core.notifications.isMuted(conversation.id)),
      conversation.kind === 'group'
        ? h('button', { type: 'button', class: 'group-info-button icon-button', 'aria-label': 'Group details', 'aria-haspopup': 'dialog' }, icon('info'))
        : null,
    );
  }

  /** The composer while the person is a member; once removed, a bar instead, and the history stays readable. */
  private renderFooter(): void {
    const model = this.model as ConversationModel;
    const self = this.core.session.currentUser();
    const member = !self || model.isMember(self.id);
    if (member && this.composer) return;
    if (member) {
      const id = model.id as string;
      this.composer = new ComposerView(
        (body, options) => {
          this.core.outbox.send(id, body, options);
          this.list.scrollToBottom();
        },
        (typing) => this.core.typing.setTyping(id, typing),
        () => this.core.collections.draftFor(id),
        {
          onEdit: (target, body) => this.core.outbox.edit(id, target.get('id') as string, body),
          lastEditable: () => this.lookup?.lastEditable(self?.id),
        },
      );
      replaceChildren(this.footer, this.composer.render().el);
      return;
    }
    // Removing the composer keeps what was written as the draft.
    this.composer?.remove();
    this.composer = null;
    replaceChildren(this.footer, h('p', { class: 'membership-bar', role: 'status' }, 'You are no longer a member of this group'));
  }

  /** "Jump to latest", with how many messages from others are below unseen; shown while the bottom is out of view. */
  private renderJump(position: ListPosition): void {
    this.jump.hidden = position.atBottom;
    // The name reads "Jump to latest 3 unread".
    replaceChildren(this.jump, 'Jump to latest',
      position.unseen > 0 ? ' ' : null,
      position.unseen > 0 ? h('span', { class: 'jump-count' }, position.unseen > 99 ? '99+' : String(position.unseen), h('span', { class: 'visually-hidden' }, ' unread')) : null,
      icon('down'));
  }

  private onOpenPanel(): void {
    if (this.panel) return;
    const panel = new GroupPanelView(this.model as ConversationModel, this.core).render();
    this.panel = panel;
    this.listenToOnce(panel, 'closed', () => {
      this.panel = null;
      panel.remove();
      // Back to the button that opened it (the header may have been rebuilt meanwhile).
      (this.header.querySelector('.group-info-button') as HTMLElement | null)?.focus();
    });
    panel.open();
  }

  private onSystemRetry(e: JQuery.TriggeredEvent): void {
    this.core.outbox.retry((e.currentTarget as HTMLElement).dataset.systemRetry as string);
  }

  private onSystemDismiss(e: JQuery.TriggeredEvent): void {
    this.core.outbox.dismiss((e.currentTarget as HTMLElement).dataset.systemDismiss as string);
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

  /** "Show" on a blocked person's message: this row only, for as long as the conversation is open. */
  private onReveal(e: JQuery.TriggeredEvent): void {
    this.revealed.add((e.currentTarget as HTMLElement).dataset.reveal as string);
    this.list.refreshVisible();
  }

  private onMute(): void {
    const id = this.model?.id as string;
    void this.core.notifications.setMuted(id, !this.core.notifications.isMuted(id)).catch((error: unknown) => console.warn('could not change the mute', error));
  }

  private onJumpLatest(): void {
    this.list.scrollToBottom();
    this.list.el.focus();
  }

  private onBack(): void {
    this.onBackToList();
  }
}

/**
 * What a direct conversation's header says of the other person: their
 * presence while they are a contact, else why there is none (the server
 * tells no presence outside accepted contacts, and refuses sends there).
 */
function directStanding(other: Contact | undefined): string {
  if (!other) return 'Not a contact';
  if (isBlocked(other)) return 'Blocked: you do not see each other, and they cannot write to you here';
  if (isReachable(other)) return presenceLabel(other.online, other.lastSeenAt);
  return contactState(other) === 'outgoing' ? 'Contact request sent' : contactState(other) === 'incoming' ? 'Wants to be your contact' : 'Not a contact';
  }

/** The header's mute switch: a muted conversation raises no notification and leaves the tab's count. */
function muteButton(muted: boolean): HTMLButtonElement {
  return h('button', {
    type: 'button',
    class: `mute-button ghost ${muted ? 'is-muted' : ''}`,
    'aria-pressed': String(muted),
    title: muted ? 'No notifications from this conversation; its messages are not counted in the tab' : 'Stop notifications from this conversation',
  }, muted ? 'Muted' : 'Mute');
}

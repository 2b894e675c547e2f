import Backbone from 'backbone';
import { pendingRequestCount } from '../models/contact-standing';
import { ContactsView } from './contacts-view';
import { ConversationListView } from './conversation-list-view';
import { ConversationView } from './conversation-view';
import { h, replaceChildren } from './dom';
import { initials } from './format';
import { personName } from './person-name';
import { SettingsView } from './settings-view';
import { attrs, type ConversationModel, type ViewCore } from './view-core';
import { NotificationPromptView } from './notification-prompt-view';
import { SearchView } from './search-view';

type Tab = 'chats' | 'contacts';

/**
 * The signed-in screen: the sidebar (conversations or contacts) and the open
 * conversation. Under 720 px one pane shows at a time; the conversation has a
 * back button to the list.
 */
export class ChatView extends Backbone.View {
  private readonly list: ConversationListView;
  private readonly contacts: ContactsView;
  private readonly prompt: NotificationPromptView;
  private readonly search: SearchView;
  private conversation: ConversationView | null = null;
  private settings: SettingsView | null = null;
  private openId: string | null = null;
  private tab: Tab = 'chats';
  private panel!: HTMLElement;
  private main!: HTMLElement;

  override preinitialize(): void {
    this.className = 'chat-shell';
    this.events = {
      'click [data-tab]': 'onTab',
      'click .logout-button': 'onLogout',
      'click .settings-button': 'openSettings',
    };
  }

  constructor(private readonly core: ViewCore) {
    super();
    this.list = new ConversationListView(core, (id) => this.open(id));
    this.search = new SearchView(core, (conversationId, messageId) => this.open(conversationId, messageId));
    this.contacts = new ContactsView(core, (id) => {
      this.showTab('chats');
      this.open(id);
    });
    this.listenTo(core.collections.conversations, 'add', (model: ConversationModel) => {
      if (model.id === this.openId && !this.conversation) this.open(this.openId);
    });
    this.listenTo(core.collections.conversations, 'remove reset', () => {
      if (this.openId && !core.collections.conversations.get(this.openId)) this.close();
    });
    this.listenTo(core.dispatch, 'session:ready', this.renderUser);
    // A new display name (here, in another tab or on another device) shows at once.
    this.listenTo(core.dispatch, 'store:change:session', this.renderUser);
    this.listenTo(core.collections.contacts, 'add remove reset change:state change:blocked', this.renderRequestCount);
    this.prompt = new NotificationPromptView(core);
    // A click on a system notification brings the tab forward and opens its conversation.
    this.listenTo(core.dispatch, 'notification:open', ({ conversationId }: { conversationId: string }) => {
      this.showTab('chats');
      this.open(conversationId);
    });
  }

  override render(): this {
    this.panel = h('div', { class: 'sidebar-panel' });
    this.main = h('main', { class: 'main-pane', 'aria-label': 'Conversation' });
    replaceChildren(this.el,
      h('aside', { class: 'sidebar', 'aria-label': 'Conversations and contacts' },
        h('header', { class: 'sidebar-header' },
          h('div', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'Tidings'),
          h('div', { class: 'account' }),
          h('button', { type: 'button', class: 'settings-button ghost' }, 'Settings'),
          h('button', { type: 'button', class: 'logout-button ghost' }, 'Log out')),
        this.search.render().el,
        h('div', { class: 'tabs', role: 'group', 'aria-label': 'Show' },
          h('button', { type: 'button', 'data-tab': 'chats', 'aria-pressed': 'true' }, 'Chats'),
          h('button', { type: 'button', 'data-tab': 'contacts', 'aria-pressed': 'false' }, 'Contacts', h('span', { class: 'tab-badge', hidden: true }))),
        this.prompt.render().el,
        this.panel),
      this.main,
    );
    this.list.render();
    this.contacts.render();
    this.renderUser();
    this.renderRequestCount();
    this.showTab(this.tab);
    this.renderEmpty();
    return this;
  }

  /**
   * Opens a conversation by id; if it has not arrived yet it opens when it
   * does. With `messageId` (a search result) the history around that message
   * is loaded and the list shows it.
   */
  open(id: string, messageId?: string): void {
    this.openId = id;
    this.list.select(id);
    this.search.setOpenConversation(id);
    const model = this.core.collections.conversations.get(id) as ConversationModel | undefined;
    if (!model) return;
    this.closeSettings();
    if (messageId && this.conversation && this.conversation.model === model) {
      void this.conversation.showMessage(messageId);
      return;
    }
    this.conversation?.remove();
    this.conversation = new ConversationView(model, this.core, () => this.close());
    replaceChildren(this.main, this.conversation.render().el);
    this.el.classList.add('is-conversation-open');
    this.conversation.attached();
    if (messageId) void this.conversation.showMessage(messageId);
  }

  close(): void {
    const previous = this.openId;
    this.openId = null;
    this.conversation?.remove();
    this.conversation = null;
    this.list.select(null);
    this.search.setOpenConversation(null);
    this.el.classList.remove('is-conversation-open');
    this.renderEmpty();
    // Return focus to where the person came from, for keyboard use on phones.
    if (previous) (this.list.el.querySelector(`[data-id="${CSS.escape(previous)}"]`) as HTMLElement | null)?.focus();
  }

  /** The settings (name, password, theme, sessions) in the main pane, in place of a conversation. */
  openSettings(): void {
    if (this.settings) return;
    if (this.openId) this.close();
    this.settings = new SettingsView(this.core, () => {
      this.closeSettings();
      this.renderEmpty();
      (this.el.querySelector('.settings-button') as HTMLElement | null)?.focus();
    });
    replaceChildren(this.main, this.settings.render().el);
    this.el.classList.add('is-conversation-open');
    this.settings.focus();
  }

  private closeSettings(): void {
    if (!this.settings) return;
    this.settings.remove();
    this.settings = null;
    this.el.classList.remove('is-conversation-open');
  }

  override remove(): this {
    this.settings?.remove();
    this.conversation?.remove();
    this.list.remove();
    this.contacts.remove();
    this.prompt.remove();
    this.search.remove();
    return super.remove();
  }

  private renderUser(): void {
    const user = this.core.session.currentUser();
    const account = this.el.querySelector('.account');
    if (!account) return;
    const name = user ? user.displayName || user.username : '';
    replaceChildren(account,
      h('span', { class: 'avatar small', 'aria-hidden': 'true' }, initials(name || '?')),
      user ? personName(user, 'account-name') : null,
      this.core.session.isPublicComputer() ? h('span', { class: 'tag', title: 'Nothing is stored on this device' }, 'Public') : null);
  }

  /** The number of requests waiting for an answer, on the Contacts tab (part of its accessible name). */
  private renderRequestCount(): void {
    const badge = this.el.querySelector<HTMLElement>('.tab-badge');
    if (!badge) return;
    const count = pendingRequestCount(this.core.collections.contacts.models.map(attrs));
    badge.hidden = count === 0;
    replaceChildren(badge, count > 99 ? '99+' : String(count), h('span', { class: 'visually-hidden' }, count === 1 ? ' request' : ' requests'));
  }

  private renderEmpty(): void {
    if (this.conversation || this.settings || !this.main) return;
    replaceChildren(this.main, h('div', { class: 'empty-state' },
      h('div', { class: 'empty-illustration', 'aria-hidden': 'true' }),
      h('h2', {}, 'No conversation open'),
      h('p', {}, 'Pick a conversation on the left, or start one from your contacts.')));
  }

  private showTab(tab: Tab): void {
    this.tab = tab;
    this.$('[data-tab]').each((_, el) => el.setAttribute('aria-pressed', String(el.dataset.tab === tab)));
    const view = tab === 'chats' ? this.list : this.contacts;
    replaceChildren(this.panel, view.el);
  }

  private onTab(e: JQuery.TriggeredEvent): void {
    this.showTab((e.currentTarget as HTMLElement).dataset.tab === 'contacts' ? 'contacts' : 'chats');
  }

  private onLogout(): void {
    const pending = this.core.outbox.pendingCount();
    if (pending > 0 && !window.confirm(`${pending} message(s) are not sent yet and will be lost. Log out anyway?`)) return;
    void this.core.session.logout();
  }
}

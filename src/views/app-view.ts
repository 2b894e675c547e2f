import Backbone from 'backbone';
import type { SessionEndReason } from '../core/client-core-api';
import { ChatView } from './chat-view';
import { ConnectionBannerView } from './connection-banner-view';
import { h, replaceChildren } from './dom';
import { LoginView, SESSION_END_MESSAGES } from './login-view';
import type { ViewCore } from './view-core';

/**
 * The root view: the connection banner over either the login form or the
 * chat. It switches on the session events and guards closing the tab while a
 * public computer still has unsent messages.
 */
export class AppView extends Backbone.View {
  private readonly banner: ConnectionBannerView;
  private screen: LoginView | ChatView | null = null;
  private readonly stage = h('div', { class: 'stage' });
  private readonly onBeforeUnload = (e: BeforeUnloadEvent) => {
    if (this.core.session.isPublicComputer() && this.core.outbox.pendingCount() > 0) {
      e.preventDefault();
      // Older Chromium needs returnValue set to show the prompt.
      e.returnValue = '';
    }
  };

  constructor(private readonly core: ViewCore, options: { el: HTMLElement }) {
    super(options);
    this.banner = new ConnectionBannerView(core.dispatch);
    this.listenTo(core.dispatch, 'session:ready', () => {
      if (!(this.screen instanceof ChatView)) this.showChat();
    });
    this.listenTo(core.dispatch, 'session:ended', (e: { reason: SessionEndReason }) => {
      this.showLogin({ text: SESSION_END_MESSAGES[e.reason] ?? 'You have been logged out.', tone: e.reason === 'logout' ? 'info' : 'error' });
    });
    window.addEventListener('beforeunload', this.onBeforeUnload);
  }

  override render(): this {
    replaceChildren(this.el, this.banner.render().el, this.stage);
    if (this.core.session.currentUser() || this.core.session.hasStoredSession()) this.showChat();
    else this.showLogin(null);
    return this;
  }

  override remove(): this {
    window.removeEventListener('beforeunload', this.onBeforeUnload);
    this.screen?.remove();
    this.banner.remove();
    return super.remove();
  }

  private showChat(): void {
    this.screen?.remove();
    const chat = new ChatView(this.core);
    this.screen = chat;
    replaceChildren(this.stage, chat.render().el);
  }

  private showLogin(notice: ConstructorParameters<typeof LoginView>[1]): void {
    this.screen?.remove();
    const login = new LoginView(this.core, notice);
    this.screen = login;
    replaceChildren(this.stage, login.render().el);
    login.focus();
  }
}

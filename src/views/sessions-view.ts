import Backbone from 'backbone';
import type { SessionInfo } from '../protocol';
import { h, replaceChildren } from './dom';
import { FULL_DATE_TIME, localFormat, relativeTime } from './format';
import type { ViewCore } from './view-core';

/**
 * "Where you are signed in": every live session of the account with its
 * browser and system, when it was made and last used, which one is this
 * device and which are public computers. Any one can be signed out (this
 * one is a logout), or all the others at once; their tabs fall back to the
 * login form and wipe what they stored.
 */
export class SessionsView extends Backbone.View {
  private sessions: SessionInfo[] = [];
  private list!: HTMLUListElement;
  private message!: HTMLElement;
  private othersButton!: HTMLButtonElement;

  override preinitialize(): void {
    this.tagName = 'section';
    this.className = 'settings-section sessions';
    this.events = {
      'click [data-revoke]': 'onRevoke',
      'click .revoke-others': 'onRevokeOthers',
      'click .reload-sessions': 'load',
    };
  }

  constructor(private readonly core: ViewCore) {
    super();
    this.el.setAttribute('aria-labelledby', 'sessions-heading');
  }

  override render(): this {
    this.list = h('ul', { class: 'session-list', 'aria-labelledby': 'sessions-heading', 'aria-busy': 'true' });
    this.message = h('p', { class: 'form-message', role: 'status' });
    this.othersButton = h('button', { type: 'button', class: 'revoke-others small', disabled: true }, 'Sign out all other sessions');
    replaceChildren(this.el,
      h('h3', { id: 'sessions-heading' }, 'Where you are signed in'),
      this.list,
      h('div', { class: 'settings-actions' }, this.othersButton, h('button', { type: 'button', class: 'reload-sessions link-button' }, 'Refresh')),
      this.message);
    void this.load();
    return this;
  }

  /** Asks the server for the list again and shows it. */
  async load(): Promise<void> {
    this.list.setAttribute('aria-busy', 'true');
    try {
      this.sessions = await this.core.account.sessions();
      this.renderList();
    } catch {
      this.message.textContent = 'Could not load your sessions. Check your connection and press Refresh.';
    } finally {
      this.list.removeAttribute('aria-busy');
    }
  }

  private renderList(): void {
    const now = Date.now();
    replaceChildren(this.list, ...this.sessions.map((s) => sessionItem(s, now)));
    this.othersButton.disabled = !this.sessions.some((s) => !s.current);
  }

  private async onRevoke(e: JQuery.TriggeredEvent): Promise<void> {
    const id = (e.currentTarget as HTMLElement).dataset.revoke as string;
    const session = this.sessions.find((s) => s.id === id);
    if (!session) return;
    if (session.current) {
      // Signing out this device is a logout, with its warning about unsent messages.
      const pending = this.core.outbox.pendingCount();
      if (pending > 0 && !window.confirm(`${pending} message(s) are not sent yet and will be lost. Sign out anyway?`)) return;
      void this.core.session.logout();
      return;
    }
    try {
      await this.core.account.revokeSession(id);
      this.message.textContent = `Signed out ${session.client}.`;
    } catch (error) {
      // NOT_FOUND: it ended meanwhile (expired, or signed out elsewhere); the new list shows it gone.
      if ((error as { code?: string }).code !== 'NOT_FOUND') {
        this.message.textContent = `Could not sign out ${session.client}. Try again.`;
        return;
      }
    }
    await this.load();
  }

  private async onRevokeOthers(): Promise<void> {
    try {
      const count = await this.core.account.revokeOtherSessions();
      this.message.textContent = count === 1 ? 'Signed out 1 other session.' : `Signed out ${count} other sessions.`;
    } catch {
      this.message.textContent = 'Could not sign out the other sessions. Try again.';
      return;
    }
    await this.load();
  }
}

function sessionItem(session: SessionInfo, now: number): HTMLLIElement {
  const made = new Date(session.createdAt);
  const used = new Date(session.lastUsedAt);
  return h('li', { class: `session-item ${session.current ? 'is-current' : ''}` },
    h('span', { class: 'session-main' },
      h('span', { class: 'session-client' },
        session.client || 'Unknown browser',
        session.current ? h('span', { class: 'tag is-current' }, 'This device') : null,
        session.publicComputer ? h('span', { class: 'tag' }, 'Public computer') : null),
      h('span', { class: 'session-times' },
        'Signed in ', h('time', { datetime: made.toISOString(), title: localFormat(made, FULL_DATE_TIME) }, relativeTime(session.createdAt, now)),
        ' · last used ', h('time', { datetime: used.toISOString(), title: localFormat(used, FULL_DATE_TIME) }, session.current ? 'now' : relativeTime(session.lastUsedAt, now)))),
    h('button', {
      type: 'button',
      class: 'link-button danger',
      'data-revoke': session.id,
      'aria-label': session.current ? 'Sign out this device' : `Sign out ${session.client}, last used ${relativeTime(session.lastUsedAt, now)}`,
    }, 'Sign out'),
  );
}

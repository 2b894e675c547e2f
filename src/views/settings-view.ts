import Backbone from 'backbone';
import { passwordChangeRefusal } from '../controllers/account-controller';
import { THEME_CHOICES, type ThemeChoice } from '../core/theme-preference';
import { codePointLength, MAX_DISPLAY_NAME_LENGTH } from '../protocol';
import { h, replaceChildren } from './dom';
import { icon } from './icons';
import { NotificationSettingsView } from './notification-settings-view';
import { SessionsView } from './sessions-view';
import type { ViewCore } from './view-core';

const THEME_LABELS: Record<ThemeChoice, string> = { system: 'Same as the system', light: 'Light', dark: 'Dark' };

/**
 * The settings, in the main pane: the display name (every contact sees a
 * change at once), the password (asks the current one; every other session
 * is signed out), the theme, and where one is signed in. `onClose` returns
 * to the conversations.
 */
export class SettingsView extends Backbone.View {
  private readonly sessions: SessionsView;
  private readonly notifications: NotificationSettingsView;

  override preinitialize(): void {
    this.tagName = 'section';
    this.className = 'settings';
    this.events = {
      'submit .profile-form': 'onSaveName',
      'submit .password-form': 'onChangePassword',
      'change input[name=theme]': 'onTheme',
      'click .close-settings': 'onCloseClick',
      keydown: 'onKeydown',
    };
  }

  constructor(private readonly core: ViewCore, private readonly onClose: () => void) {
    super();
    this.el.setAttribute('aria-labelledby', 'settings-title');
    this.sessions = new SessionsView(core);
    this.notifications = new NotificationSettingsView(core);
  }

  override render(): this {
    const user = this.core.session.currentUser();
    const theme = this.core.theme.current();
    replaceChildren(this.el,
      h('header', { class: 'conversation-header settings-header' },
        h('button', { type: 'button', class: 'close-settings icon-button', 'aria-label': 'Close settings' }, icon('back')),
        h('h2', { id: 'settings-title', tabindex: '-1' }, 'Settings')),
      h('div', { class: 'settings-body' },
        h('section', { class: 'settings-section', 'aria-labelledby': 'profile-heading' },
          h('h3', { id: 'profile-heading' }, 'Your name'),
          h('p', { class: 'settings-note' }, `Your username is @${user?.username ?? ''}; it never changes. Your contacts see your display name beside it.`),
          h('form', { class: 'profile-form', novalidate: true },
            field('Display name', h('input', { name: 'displayName', value: user?.displayName ?? '', maxlength: MAX_DISPLAY_NAME_LENGTH * 2, autocomplete: 'name', required: true })),
            h('button', { type: 'submit', class: 'primary' }, 'Save name'),
            h('p', { class: 'form-message', role: 'status' }))),
        h('section', { class: 'settings-section', 'aria-labelledby': 'password-heading' },
          h('h3', { id: 'password-heading' }, 'Password'),
          h('form', { class: 'password-form', novalidate: true },
            field('Current password', h('input', { name: 'currentPassword', type: 'password', autocomplete: 'current-password', required: true })),
            field('New password', h('input', { name: 'newPassword', type: 'password', autocomplete: 'new-password', required: true, minlength: 8, maxlength: 256 })),
            field('New password again', h('input', { name: 'confirmPassword', type: 'password', autocomplete: 'new-password', required: true })),
            h('p', { class: 'settings-note' }, 'Changing it signs you out everywhere else.'),
            h('button', { type: 'submit', class: 'primary' }, 'Change password'),
            h('p', { class: 'form-message', role: 'status' }))),
        h('section', { class: 'settings-section', 'aria-labelledby': 'theme-heading' },
          h('h3', { id: 'theme-heading' }, 'Appearance'),
          h('fieldset', { class: 'theme-choices' },
            h('legend', {}, 'Theme'),
            ...THEME_CHOICES.map((choice) =>
              h('label', { class: 'check' },
                h('input', { type: 'radio', name: 'theme', value: choice, checked: choice === theme }),
                h('span', {}, THEME_LABELS[choice])))),
          h('p', { class: 'settings-note' }, this.core.session.isPublicComputer()
            ? 'On a public computer the choice lasts until you sign out.'
            : 'The choice is kept on this device.')),
        this.notifications.render().el,
        this.sessions.render().el));
    return this;
  }

  focus(): void {
    (this.el.querySelector('#settings-title') as HTMLElement | null)?.focus();
  }

  override remove(): this {
    this.sessions.remove();
    this.notifications.remove();
    return super.remove();
  }

  private async onSaveName(e: JQuery.TriggeredEvent): Promise<void> {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const say = formMessage(form);
    const displayName = valueOf(form, 'displayName').trim();
    const length = codePointLength(displayName);
    if (length === 0) return say('Type a name first.', true);
    if (length > MAX_DISPLAY_NAME_LENGTH) return say(`A display name has at most ${MAX_DISPLAY_NAME_LENGTH} characters; this one has ${length}.`, true);
    say('Saving…');
    try {
      const user = await this.core.account.updateDisplayName(displayName);
      say(`Saved. Your contacts now see "${user.displayName}".`);
    } catch (error) {
      const { code, message } = (error ?? {}) as { code?: string; message?: string };
      if (code === 'INVALID_PAYLOAD') say(`That name cannot be used: ${message ?? 'it was refused'}.`, true);
      else if (code === 'RATE_LIMITED') say('You changed your name too often. Try again in a while.', true);
      else say('Could not save the name. Check your connection and try again.', true);
    }
  }

  private async onChangePassword(e: JQuery.TriggeredEvent): Promise<void> {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const say = formMessage(form);
    const current = valueOf(form, 'currentPassword');
    const next = valueOf(form, 'newPassword');
    if (!current) return say('Type your current password.', true);
    if (next.length < 8) return say('The new password needs at least 8 characters.', true);
    if (next !== valueOf(form, 'confirmPassword')) return say('The two new passwords differ.', true);
    say('Changing…');
    try {
      await this.core.account.changePassword(current, next);
      form.reset();
      say('Password changed. Every other session has been signed out.');
      void this.sessions.load();
    } catch (error) {
      const refusal = passwordChangeRefusal(error);
      if (refusal === 'wrong-password') say('The current password is wrong.', true);
      else if (refusal === 'throttled') say('Too many wrong passwords. Please wait a few minutes and try again.', true);
      else if (refusal === 'invalid') say(`The new password was refused: ${(error as Error).message}`, true);
      else say('Could not change the password. Check your connection and try again.', true);
    }
  }

  private onTheme(e: JQuery.TriggeredEvent): void {
    this.core.theme.choose((e.currentTarget as HTMLInputElement).value as ThemeChoice);
  }

  private onCloseClick(): void {
    this.onClose();
  }

  private onKeydown(e: JQuery.KeyDownEvent): void {
    if (e.key === 'Escape') this.onClose();
  }
}

function field(label: string, input: HTMLInputElement): HTMLElement {
  return h('label', { class: 'field' }, h('span', {}, label), input);
}

function valueOf(form: HTMLFormElement, name: string): string {
  return (form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? '';
}

function formMessage(form: HTMLFormElement): (text: string, error?: boolean) => void {
  const message = form.querySelector('.form-message') as HTMLElement;
  return (text, error = false) => {
    message.textContent = text;
    message.classList.toggle('is-error', error);
  };
}

import Backbone from 'backbone';
import type { SessionEndReason } from '../core/client-core-api';
import type { LoginFailureReason } from '../protocol';
import { h, replaceChildren } from './dom';
import type { ViewCore } from './view-core';

type Mode = 'login' | 'signup';

/** What the login form says for each failure and for each way a session ends. */
export const LOGIN_MESSAGES: Record<LoginFailureReason | 'UNREACHABLE' | 'NOT_KEPT', string> = {
  BAD_CREDENTIALS: 'Wrong username or password.',
  THROTTLED: 'Too many failed attempts. Please wait a few minutes and try again.',
  SESSION_EXPIRED: 'Your session has expired. Please log in again.',
  UNREACHABLE: 'Cannot reach the server. Check your connection and try again.',
  NOT_KEPT: 'The connection broke off before this device could keep you signed in. Please log in again; nothing unsent was lost.',
};
export const SESSION_END_MESSAGES: Record<SessionEndReason, string> = {
  logout: 'You have logged out.',
  revoked: 'You were signed out, from another window or another device.',
  expired: 'Your session has expired. Please log in again.',
  idle: 'You were logged out after a period of inactivity.',
};

/**
 * The login and sign-up form, with the public-computer checkbox. Results come
 * back on the bus (`session:ready`, `login:failed`); the form only shows them.
 */
export class LoginView extends Backbone.View {
  private mode: Mode = 'login';
  private busy = false;

  override preinitialize(): void {
    this.tagName = 'main';
    this.className = 'login-screen';
    this.events = {
      'submit form': 'onSubmit',
      'click [data-mode]': 'onSwitchMode',
    };
  }

  constructor(private readonly core: ViewCore, private notice: { text: string; tone: 'info' | 'error' } | null = null) {
    super();
    this.listenTo(core.dispatch, 'login:failed', (e: LoginFailure) => this.showResult(loginFailureText(e), 'error'));
  }

  override render(): this {
    const signup = this.mode === 'signup';
    const form = h('form', { class: 'login-card', 'aria-labelledby': 'login-title', novalidate: true },
      h('div', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'Tidings'),
      h('h1', { id: 'login-title' }, signup ? 'Create your account' : 'Welcome back'),
      h('div', { class: 'mode-switch', role: 'group', 'aria-label': 'Log in or sign up' },
        h('button', { type: 'button', 'data-mode': 'login', 'aria-pressed': String(!signup) }, 'Log in'),
        h('button', { type: 'button', 'data-mode': 'signup', 'aria-pressed': String(signup) }, 'Sign up')),
      field('Username', h('input', { name: 'username', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', required: true, minlength: 3, maxlength: 32 })),
      signup ? field('Display name (optional)', h('input', { name: 'displayName', autocomplete: 'name', maxlength: 64 })) : null,
      field('Password', h('input', { name: 'password', type: 'password', autocomplete: signup ? 'new-password' : 'current-password', required: true, minlength: 8, maxlength: 256 })),
      h('label', { class: 'check' },
        h('input', { type: 'checkbox', name: 'publicComputer' }),
        h('span', {}, 'This is a public computer'),
        h('small', {}, 'Nothing is stored on this device; you log in again after a reload.')),
      h('p', { class: 'form-message', role: 'alert', 'aria-live': 'assertive' }),
      h('button', { type: 'submit', class: 'primary' }, signup ? 'Create account' : 'Log in'),
    );
    replaceChildren(this.el, form);
    if (this.notice) this.showResult(this.notice.text, this.notice.tone);
    return this;
  }

  /** Focuses the first field; called once the form is in the document. */
  focus(): void {
    this.$('input[name=username]').trigger('focus');
  }

  private onSwitchMode(e: JQuery.TriggeredEvent): void {
    this.mode = (e.currentTarget as HTMLElement).dataset.mode === 'signup' ? 'signup' : 'login';
    this.notice = null;
    this.render().focus();
  }

  private onSubmit(e: JQuery.TriggeredEvent): void {
    e.preventDefault();
    if (this.busy) return;
    const form = e.currentTarget as HTMLFormElement;
    const value = (name: string) => ((form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? '');
    const username = value('username').trim().toLowerCase();
    const password = value('password');
    const publicComputer = (form.elements.namedItem('publicComputer') as HTMLInputElement).checked;
    const problem = validate(username, password);
    if (problem) return this.showResult(problem, 'error');
    this.setBusy(true);
    if (this.mode === 'login') {
      this.showResult('', 'info');
      this.core.session.login({ username, password, publicComputer });
      return;
    }
    const displayName = value('displayName').trim() || undefined;
    this.core.session.signup({ username, password, displayName, publicComputer }).catch((error: unknown) => {
      this.showResult(signupErrorText(error), 'error');
    });
  }

  private showResult(text: string, tone: 'info' | 'error'): void {
    this.setBusy(false);
    const message = this.$('.form-message');
    message.text(text).toggleClass('is-error', tone === 'error' && text !== '');
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    this.$('button[type=submit]').prop('disabled', busy).attr('aria-busy', String(busy));
  }
}

function field(label: string, input: HTMLInputElement): HTMLElement {
  return h('label', { class: 'field' }, h('span', {}, label), input);
}

function validate(username: string, password: string): string | null {
  if (!/^[a-z0-9_.-]{3,32}$/.test(username)) return 'Usernames are 3-32 letters, digits, dots, dashes or underscores.';
  if (password.length < 8) return 'Passwords have at least 8 characters.';
  return null;
}

/** Sign-up refusals in words: taken names, invalid fields (the server names the field), no connection. */
type LoginFailure = { reason: LoginFailureReason | 'UNREACHABLE' | 'NOT_KEPT'; retryAfterMs?: number };

/** What the form says for a failed login; a THROTTLED one says how long to wait when the server told. */
export function loginFailureText(e: LoginFailure): string {
  if (e.reason === 'THROTTLED' && e.retryAfterMs !== undefined) {
    const seconds = Math.ceil(e.retryAfterMs / 1000);
    const wait = seconds < 90 ? plural(seconds, 'second') : plural(Math.ceil(seconds / 60), 'minute');
    return `Too many attempts. Please try again in ${wait}.`;
  }
  return LOGIN_MESSAGES[e.reason] ?? 'Login failed.';
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

export function signupErrorText(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (code === 'CONFLICT') return 'That username is already taken.';
  if (code === 'OFFLINE' || code === 'DISCONNECTED' || code === 'TIMEOUT') return LOGIN_MESSAGES.UNREACHABLE;
  if (code === 'RATE_LIMITED') return 'Too many attempts. Please wait a moment and try again.';
  if (code === 'INVALID_PAYLOAD' && message) return `The server refused this: ${message}`;
  return 'Could not create the account. Please try again.';
}

import Backbone from 'backbone';
import { h, replaceChildren } from './dom';
import type { ViewCore } from './view-core';

/**
 * The settings' "Notifications" section: one switch for system
 * notifications of new messages. Turning it on asks the browser's
 * permission from that click; it says when the browser blocks them, and
 * that a public computer shows no message text.
 */
export class NotificationSettingsView extends Backbone.View {
  override preinitialize(): void {
    this.tagName = 'section';
    this.className = 'settings-section notification-settings';
    this.events = { 'change input[name=notifications]': 'onToggle' };
  }

  constructor(private readonly core: ViewCore) {
    super();
    this.el.setAttribute('aria-labelledby', 'notifications-heading');
    this.listenTo(core.dispatch, 'notifications:change', this.render);
  }

  override render(): this {
    const status = this.core.notifications.status();
    const unavailable = status.permission === 'unsupported' || status.permission === 'denied';
    let note: string;
    if (status.permission === 'unsupported') note = 'This browser cannot show notifications.';
    else if (status.permission === 'denied') note = 'Notifications are blocked for Tidings in this browser’s site settings.';
    else if (this.core.session.isPublicComputer()) note = 'On a public computer notifications say “New message” without the text, and go when you log out.';
    else note = 'Shown while Tidings is in the background; mute a conversation from its header. Kept on this device.';
    replaceChildren(this.el,
      h('h3', { id: 'notifications-heading' }, 'Notifications'),
      h('label', { class: 'check' },
        h('input', { type: 'checkbox', name: 'notifications', checked: status.enabled, disabled: unavailable }),
        h('span', {}, 'Notify me of new messages')),
      h('p', { class: 'settings-note' }, note));
    return this;
  }

  private onToggle(e: JQuery.TriggeredEvent): void {
    const on = (e.currentTarget as HTMLInputElement).checked;
    const done = on ? this.core.notifications.enable() : this.core.notifications.disable();
    void done.then(() => this.render());
  }
}

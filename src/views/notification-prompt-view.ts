import Backbone from 'backbone';
import { h, replaceChildren } from './dom';
import type { ViewCore } from './view-core';

/**
 * The one-time bar over the conversations: "Turn on notifications" asks
 * the browser's permission from that click (never at load), "Not now"
 * hides it for good on this device. It shows only while the question is
 * open: never answered, and the browser could still allow notifications.
 */
export class NotificationPromptView extends Backbone.View {
  override preinitialize(): void {
    this.className = 'notify-prompt';
    this.events = {
      'click .notify-enable': 'onEnable',
      'click .notify-later': 'onLater',
    };
  }

  constructor(private readonly core: ViewCore) {
    super();
    this.el.setAttribute('role', 'region');
    this.el.setAttribute('aria-label', 'Notifications');
    this.listenTo(core.dispatch, 'notifications:change', this.render);
  }

  override render(): this {
    const offer = this.core.notifications.status().offerPrompt;
    this.el.hidden = !offer;
    if (!offer) {
      replaceChildren(this.el);
      return this;
    }
    replaceChildren(this.el,
      h('p', {}, 'Be told of new messages while Tidings is in the background.'),
      h('div', { class: 'notify-prompt-actions' },
        h('button', { type: 'button', class: 'notify-enable primary' }, 'Turn on notifications'),
        h('button', { type: 'button', class: 'notify-later ghost' }, 'Not now')));
    return this;
  }

  private onEnable(): void {
    void this.core.notifications.enable().then(() => this.render());
  }

  private onLater(): void {
    void this.core.notifications.dismissPrompt().then(() => this.render());
  }
}

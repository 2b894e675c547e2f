import Backbone from 'backbone';
import type { ConnectionStatus } from '../core/client-core-api';
import { h, replaceChildren } from './dom';
import { secondsUntil } from './format';

/**
 * The connection banner: hidden while online, "Reconnecting in N s" while a
 * retry is scheduled, and an offline notice that queued messages will go out
 * later. A one-second timer runs only while a countdown is shown.
 */
export class ConnectionBannerView extends Backbone.View {
  private status: ConnectionStatus = { state: 'online' };
  private timer: ReturnType<typeof setInterval> | undefined;

  override preinitialize(): void {
    this.className = 'connection-banner';
    this.events = { 'click button': 'onRetryNow' };
  }

  constructor(dispatch: Backbone.Events, private readonly onlineEvent: () => void = () => window.dispatchEvent(new Event('online'))) {
    super();
    this.el.setAttribute('role', 'status');
    this.el.setAttribute('aria-live', 'polite');
    this.listenTo(dispatch, 'connection:state', (status: ConnectionStatus) => {
      this.status = status;
      this.render();
    });
  }

  override render(): this {
    const { state, nextAttemptAt } = this.status;
    this.el.dataset.state = state;
    this.el.hidden = state === 'online';
    this.stopTimer();
    if (state === 'online') {
      replaceChildren(this.el);
      return this;
    }
    const waiting = nextAttemptAt !== undefined && nextAttemptAt > Date.now();
    if (waiting) this.timer = setInterval(() => this.renderText(), 1000);
    this.renderText();
    return this;
  }

  override remove(): this {
    this.stopTimer();
    return super.remove();
  }

  private renderText(): void {
    const { state, nextAttemptAt } = this.status;
    const seconds = nextAttemptAt === undefined ? 0 : secondsUntil(nextAttemptAt);
    let title: string;
    if (state === 'connecting' && seconds === 0) title = 'Connecting…';
    else if (seconds > 0) title = `Reconnecting in ${seconds} s…`;
    else title = 'Reconnecting…';
    if (seconds === 0) this.stopTimer();
    const offline = state === 'offline' || (typeof navigator !== 'undefined' && navigator.onLine === false);
    replaceChildren(this.el,
      h('span', { class: 'banner-dot', 'aria-hidden': 'true' }),
      h('strong', {}, offline ? 'You are offline.' : title),
      h('span', { class: 'banner-detail' }, offline ? ' Messages will be sent when you are back online.' : ' Messages will be sent once connected.'),
      seconds > 0 ? h('button', { type: 'button', class: 'link-button' }, 'Retry now') : null,
    );
    if (offline && seconds > 0) this.$('strong').text(`You are offline. Reconnecting in ${seconds} s.`);
  }

  private onRetryNow(): void {
    // The communicator retries at once on the browser's `online` event (docs/ARCHITECTURE.md).
    this.onlineEvent();
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}

import Backbone from 'backbone';
import { DEFAULT_LIMITS, bodyLength } from '../protocol';
import { h, replaceChildren } from './dom';
import { icon } from './icons';

/** The counter appears this many characters before the limit. */
export const COUNTER_FROM = DEFAULT_LIMITS.maxBodyLength - 500;

/**
 * The composer: Enter sends, Shift+Enter starts a new line, the counter shows
 * from 3,500 characters. It reports every keystroke to `onTyping(true)` and
 * an emptied or left field to `onTyping(false)`; when the typing stops is the
 * typing controller's decision (its idle timer), not the view's.
 */
export class ComposerView extends Backbone.View {
  private input!: HTMLTextAreaElement;
  private counter!: HTMLElement;

  override preinitialize(): void {
    this.tagName = 'form';
    this.className = 'composer';
    this.events = {
      submit: 'onSubmit',
      'keydown textarea': 'onKeydown',
      'input textarea': 'onInput',
      'blur textarea': 'stopTyping',
    };
  }

  constructor(
    private readonly onSend: (body: string) => void,
    private readonly onTyping: (typing: boolean) => void,
    private readonly maxLength: number = DEFAULT_LIMITS.maxBodyLength,
  ) {
    super();
    this.el.setAttribute('aria-label', 'Write a message');
  }

  override render(): this {
    this.input = h('textarea', { id: 'composer-input', name: 'body', rows: 1, placeholder: 'Write a message…', 'aria-describedby': 'composer-counter composer-hint' });
    this.counter = h('span', { id: 'composer-counter', class: 'composer-counter', 'aria-live': 'polite', hidden: true });
    replaceChildren(this.el,
      h('label', { for: 'composer-input', class: 'visually-hidden' }, 'Message'),
      h('span', { id: 'composer-hint', class: 'visually-hidden' }, 'Enter sends, Shift+Enter adds a new line.'),
      this.input,
      this.counter,
      h('button', { type: 'submit', class: 'send-button', 'aria-label': 'Send', disabled: true }, icon('send')),
    );
    return this;
  }

  focus(): void {
    this.input.focus();
  }

  override remove(): this {
    this.stopTyping();
    return super.remove();
  }

  private onKeydown(e: JQuery.KeyDownEvent): void {
    const event = e.originalEvent as KeyboardEvent | undefined;
    if (e.key === 'Enter' && !e.shiftKey && !event?.isComposing) {
      e.preventDefault();
      this.send();
    }
  }

  private onSubmit(e: JQuery.TriggeredEvent): void {
    e.preventDefault();
    this.send();
  }

  private onInput(): void {
    this.update();
    this.onTyping(this.input.value.trim() !== '');
  }

  private send(): void {
    const body = this.input.value;
    const length = bodyLength(body);
    if (length === 0 || length > this.maxLength) return;
    // Sending ends the typing announcement (the typing controller hears message:written).
    this.onSend(body.trim());
    this.input.value = '';
    this.update();
    this.input.focus();
  }

  /** Sizes the field to its content (up to the CSS max-height) and updates counter and button. */
  private update(): void {
    const length = bodyLength(this.input.value);
    const over = length > this.maxLength;
    this.counter.hidden = length < COUNTER_FROM;
    this.counter.textContent = over
      ? `${(length - this.maxLength).toLocaleString()} characters too many`
      : `${length.toLocaleString()} / ${this.maxLength.toLocaleString()}`;
    this.counter.classList.toggle('is-over', over);
    this.input.setAttribute('aria-invalid', String(over));
    (this.$('.send-button')[0] as HTMLButtonElement).disabled = length === 0 || over;
    this.input.style.height = 'auto';
    this.input.style.height = `${this.input.scrollHeight}px`;
  }

  private stopTyping(): void {
    this.onTyping(false);
  }
}

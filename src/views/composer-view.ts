import Backbone from 'backbone';
import { DEFAULT_LIMITS, ProtocolError, bodyLength } from '../protocol';
import type { MessageView } from '../core/client-core-api';
import { h, replaceChildren } from './dom';
import { icon } from './icons';
import { firstLine } from './message-parts';
import type { DraftModel, MessageModel } from './view-core';

/** The longest body, as the protocol's BodySchema (which the send action checks) counts it. */
const MAX_LENGTH = DEFAULT_LIMITS.maxBodyLength;
/** The counter appears this many characters before the limit. */
export const COUNTER_FROM = MAX_LENGTH - 500;
/** The draft is saved this long after the last keystroke (and when the composer goes), not at every one. */
const DRAFT_SAVE_MS = 400;
/** A focused field counts as being typed in this long after a keystroke: another tab's draft waits that long. */
export const TYPING_QUIET_MS = 1500;

/** What the composer does besides writing a new message: answering one, or editing one's own. */
type Mode = { kind: 'reply'; target: MessageModel; name: string } | { kind: 'edit'; target: MessageModel; stashed: string };

/** The composer's part in replying and editing (version 2); without them it only sends. */
export interface ComposerActions {
  /** Saves an edit; throws like the send (INVALID_PAYLOAD) for a body the protocol refuses. */
  onEdit?(target: MessageModel, body: string): void;
  /** One's newest message that can be edited: the Up arrow in the empty field edits it. */
  lastEditable?(): MessageModel | undefined;
}

/**
 * The composer: Enter sends, Shift+Enter starts a new line, the counter shows
 * from 3,500 characters. It reports every keystroke to `onTyping(true)` and
 * an emptied or left field to `onTyping(false)`; when the typing stops is the
 * typing controller's decision (its idle timer), not the view's. It shows the
 * length against the limit but does not judge a body: `onSend` (the outbox,
 * which checks the protocol's schema) does, and a body it refuses stays in
 * the field. What is written and not sent is the conversation's draft: shown
 * again when the composer is made, saved as the person pauses, destroyed
 * when it is sent or erased. When the draft changes elsewhere (the person's
 * other tab), the field follows, but never over what is being typed: not
 * while it holds unsaved keystrokes, nor in the moments after one.
 */
export class ComposerView extends Backbone.View {
  private input!: HTMLTextAreaElement;
  private counter!: HTMLElement;
  private draftTimer: ReturnType<typeof setTimeout> | undefined;
  private mode: Mode | null = null;
  private bar!: HTMLElement;
  /** The draft model whose changes the field follows, and the body the field and the draft last agreed on. */
  private followed: DraftModel | null = null;
  private synced = '';
  private lastInputAt = 0;
  private adoptTimer: ReturnType<typeof setTimeout> | undefined;

  override preinitialize(): void {
    this.tagName = 'form';
    this.className = 'composer';
    this.events = {
      submit: 'onSubmit',
      'keydown textarea': 'onKeydown',
      'input textarea': 'onInput',
      'blur textarea': 'stopTyping',
      'click .composer-bar-cancel': 'cancelMode',
      'focusout textarea': 'adoptDraft',
    };
  }

  constructor(
    private readonly onSend: (body: string, options: { replyTo: string | null }) => void,
    private readonly onTyping: (typing: boolean) => void,
    /** The conversation's draft, asked for each time: a destroyed one is replaced by a fresh one. */
    private readonly draftOf?: () => DraftModel,
    private readonly actions: ComposerActions = {},
  ) {
    super();
    this.el.setAttribute('aria-label', 'Write a message');
  }

  override render(): this {
    this.input = h('textarea', { id: 'composer-input', name: 'body', rows: 1, placeholder: 'Write a message…', 'aria-describedby': 'composer-counter composer-hint' });
    this.counter = h('span', { id: 'composer-counter', class: 'composer-counter', 'aria-live': 'polite', hidden: true });
    this.bar = h('div', { id: 'composer-bar', class: 'composer-bar', hidden: true });
    replaceChildren(this.el,
      this.bar,
      h('label', { for: 'composer-input', class: 'visually-hidden' }, 'Message'),
      h('span', { id: 'composer-hint', class: 'visually-hidden' }, 'Enter sends, Shift+Enter adds a new line.'),
      this.input,
      this.counter,
      h('button', { type: 'submit', class: 'send-button', 'aria-label': 'Send', disabled: true }, icon('send')),
    );
    this.input.value = this.draftOf?.().get('body') ?? '';
    this.synced = this.input.value;
    this.followDraft();
    // Sized when it is in the document (focus): detached, the field has no height to measure.
    this.showLength();
    return this;
  }

  /** Focuses the field, sized to what it holds (a draft may span lines); call once it is in the document. */
  focus(): void {
    if (this.input.value) this.fitHeight();
    this.input.focus();
  }

  override remove(): this {
    this.stopTyping();
    clearTimeout(this.adoptTimer);
    if (this.draftTimer !== undefined) this.saveDraft();
    if (this.mode) this.stopListening(this.mode.target);
    return super.remove();
  }

  // Version 2: replying to a message and editing one's own, in the composer.

  /** Answers `target`: its quote shows above the field (with a cancel button) until the reply is sent. */
  reply(target: MessageModel, senderName: string): void {
    if (this.mode?.kind === 'edit') this.cancelMode();
    this.setMode({ kind: 'reply', target, name: senderName });
    this.focus();
  }

  /** Edits one's own `target` in the field: Enter saves, Escape gives back what was written before. */
  edit(target: MessageModel): void {
    if (this.mode?.kind === 'edit') this.cancelMode();
    if (this.draftTimer !== undefined) this.saveDraft();
    const stashed = this.input.value;
    this.setMode({ kind: 'edit', target, stashed });
    this.input.value = target.get('body') ?? '';
    this.update();
    this.input.focus();
    this.input.setSelectionRange(this.input.value.length, this.input.value.length);
  }

  /** What the composer is doing: `reply` or `edit` with the message's model, or null. */
  currentMode(): { kind: 'reply' | 'edit'; target: MessageModel } | null {
    return this.mode ? { kind: this.mode.kind, target: this.mode.target } : null;
  }

  /** Stops replying or editing; an edit's text goes and what was written before comes back. */
  cancelMode(): void {
    const mode = this.mode;
    if (!mode) return;
    this.endMode();
    if (mode.kind === 'edit') {
      this.input.value = mode.stashed;
      this.update();
    }
    this.input.focus();
  }

  private saveEdit(mode: Extract<Mode, { kind: 'edit' }>): void {
    const body = this.input.value.trim();
    const before = mode.target.get('body') ?? '';
    if (body !== before.trim()) this.actions.onEdit?.(mode.target, body);
    this.input.value = mode.stashed;
    this.update();
    this.input.focus();
  }

  private setMode(mode: Mode): void {
    if (this.mode) this.stopListening(this.mode.target);
    this.mode = mode;
    // A message deleted meanwhile (here, in another tab or by its sender) can no longer be answered or edited.
    this.listenTo(mode.target, 'change:deletedAt', () => {
      if (mode.target.get('deletedAt')) this.cancelMode();
    });
    const m = mode.target.attributes as MessageView;
    const editing = mode.kind === 'edit';
    const title = editing ? 'Editing message' : `Replying to ${mode.name}`;
    replaceChildren(this.bar,
      h('span', { class: 'composer-bar-icon', 'aria-hidden': 'true' }, icon(editing ? 'pencil' : 'reply')),
      h('span', { class: 'composer-bar-text' },
        h('strong', {}, title),
        h('span', { class: 'composer-bar-quote' }, firstLine(m.body))),
      h('button', { type: 'button', class: 'icon-button composer-bar-cancel', 'aria-label': editing ? 'Cancel editing' : 'Cancel reply', title: editing ? 'Cancel editing (Escape)' : 'Cancel reply (Escape)' }, icon('close')));
    this.bar.hidden = false;
    this.el.classList.toggle('is-editing', editing);
    this.input.setAttribute('aria-describedby', 'composer-bar composer-counter composer-hint');
    (this.$('.send-button')[0] as HTMLElement).setAttribute('aria-label', editing ? 'Save' : 'Send');
  }

  private endMode(): void {
    if (!this.mode) return;
    this.stopListening(this.mode.target);
    this.mode = null;
    replaceChildren(this.bar);
    this.bar.hidden = true;
    this.el.classList.remove('is-editing');
    this.input.setAttribute('aria-describedby', 'composer-counter composer-hint');
    (this.$('.send-button')[0] as HTMLElement).setAttribute('aria-label', 'Send');
  }

  /** Listens to the conversation's current draft model (a destroyed one is replaced by a fresh one). */
  private followDraft(): void {
    const draft = this.draftOf?.();
    if (!draft || draft === this.followed) return;
    if (this.followed) this.stopListening(this.followed);
    this.followed = draft;
    this.listenTo(draft, 'change:body', this.adoptDraft);
    this.listenTo(draft, 'remove destroy', this.onDraftGone);
  }

  /** The draft was sent or erased (here or in another tab): the field follows as it would an emptied draft. */
  private onDraftGone(): void {
    if (this.followed) this.stopListening(this.followed);
    this.followed = null;
    // Not inside the collection's remove: the next draftFor() adds the fresh model.
    queueMicrotask(() => {
      if (!this.input?.isConnected && !this.el.isConnected) return;
      this.followDraft();
      this.adoptDraft();
    });
  }

  /**
   * Shows the draft's body in the field when it changed elsewhere, unless the
   * person is typing: then it waits for the pause (their own save may well
   * replace it, and the field then agrees already).
   */
  private adoptDraft(): void {
    if (!this.input) return;
    // While editing, the field holds the message's text; the draft comes back when the edit ends.
    if (this.mode?.kind === 'edit') return;
    clearTimeout(this.adoptTimer);
    this.adoptTimer = undefined;
    const body = this.followed?.get('body') ?? '';
    if (body === this.input.value) {
      this.synced = body;
      return;
    }
    const focused = document.activeElement === this.input;
    const sinceKeystroke = Date.now() - this.lastInputAt;
    if (this.input.value !== this.synced || (focused && sinceKeystroke < TYPING_QUIET_MS)) {
      this.adoptTimer = setTimeout(() => this.adoptDraft(), Math.max(DRAFT_SAVE_MS, TYPING_QUIET_MS - sinceKeystroke));
      return;
    }
    this.input.value = body;
    this.synced = body;
    if (focused) this.input.setSelectionRange(body.length, body.length);
    this.update();
  }

  private onKeydown(e: JQuery.KeyDownEvent): void {
    const event = e.originalEvent as KeyboardEvent | undefined;
    if (e.key === 'Enter' && !e.shiftKey && !event?.isComposing) {
      e.preventDefault();
      this.send();
    } else if (e.key === 'Escape' && this.mode) {
      // Ends the reply or edit only; the conversation's own Escape (back to the list) must not follow.
      e.preventDefault();
      e.stopPropagation();
      this.cancelMode();
    } else if (e.key === 'ArrowUp' && this.input.value === '' && this.mode?.kind !== 'edit' && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) {
      const last = this.actions.lastEditable?.();
      if (last) {
        e.preventDefault();
        this.edit(last);
      }
    }
  }

  private onSubmit(e: JQuery.TriggeredEvent): void {
    e.preventDefault();
    this.send();
  }

  private onInput(): void {
    this.lastInputAt = Date.now();
    this.update();
    if (this.mode?.kind === 'edit') return;
    clearTimeout(this.draftTimer);
    this.draftTimer = setTimeout(() => this.saveDraft(), DRAFT_SAVE_MS);
    this.onTyping(this.input.value.trim() !== '');
  }

  private send(): void {
    const mode = this.mode;
    try {
      if (mode?.kind === 'edit') this.saveEdit(mode);
      // Sending ends the typing announcement (the typing controller hears message:written).
      else this.onSend(this.input.value.trim(), { replyTo: mode?.kind === 'reply' ? (mode.target.get('id') as string) : null });
    } catch (error) {
      // Empty or too long: the counter and the disabled button already say so.
      if (error instanceof ProtocolError && error.code === 'INVALID_PAYLOAD') return;
      throw error;
    }
    this.endMode();
    // An edit gave the field back what was written before (saveEdit); a send empties it.
    if (mode?.kind === 'edit') return;
    this.input.value = '';
    this.saveDraft();
    this.update();
    this.input.focus();
  }

  /** Stores what the field holds as the draft, or destroys the draft when the field is empty. */
  private saveDraft(): void {
    clearTimeout(this.draftTimer);
    this.draftTimer = undefined;
    // While editing, the field holds the message's text; the draft is what was there before.
    if (this.mode?.kind === 'edit') return;
    const draft = this.draftOf?.();
    const body = this.input.value;
    this.synced = body;
    if (!draft || body === draft.get('body')) return;
    const written = body.trim() ? draft.save({ body, updatedAt: Date.now() }, { wait: true }) : draft.destroy({ wait: true });
    if (written) Promise.resolve(written).catch(draftNotKept);
  }

  /** Updates counter and button, and sizes the field to its content. */
  private update(): void {
    this.showLength();
    this.fitHeight();
  }

  private showLength(): void {
    const length = bodyLength(this.input.value);
    const over = length > MAX_LENGTH;
    this.counter.hidden = length < COUNTER_FROM;
    this.counter.textContent = over
      ? `${(length - MAX_LENGTH).toLocaleString()} characters too many`
      : `${length.toLocaleString()} / ${MAX_LENGTH.toLocaleString()}`;
    this.counter.classList.toggle('is-over', over);
    this.input.setAttribute('aria-invalid', String(over));
    (this.$('.send-button')[0] as HTMLButtonElement).disabled = length === 0 || over;
  }

  /** Up to the CSS max-height. */
  private fitHeight(): void {
    this.input.style.height = 'auto';
    this.input.style.height = `${this.input.scrollHeight}px`;
  }

  private stopTyping(): void {
    this.onTyping(false);
  }
}

/** A save refused after a logout is expected (nothing may outlive the wipe); anything else is worth a word. */
function draftNotKept(error: unknown): void {
  if (error instanceof ProtocolError && error.code === 'NOT_AUTHENTICATED') return;
  console.warn('could not keep the draft', error);
}

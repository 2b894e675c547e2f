import type { MessageState, MessageView } from '../core/client-core-api';
import { h } from './dom';
import { FULL_DATE_TIME, clockTime, dayLabel, localFormat } from './format';
import { icon } from './icons';
import { linkify } from './linkify';
import { DELETED_TEXT, editedMark, failedChangeNode, menuButton, messageActions, pendingChangeMark, quoteNode, reactionsNode, type Quote } from './message-parts';
import type { MessageRow } from './message-rows';
import { STATE_LABELS } from './message-state';
import type { Person } from './people';
import { isSystemEntry, systemLineNode } from './system-line';

/** What a row needs to know beyond the message itself. */
export interface RowContext {
  selfId: string | undefined;
  isGroup: boolean;
  /** The sender as shown above a group message: `Display Name @username` (an element) or plain text. */
  senderName(id: string): string | Node;
  stateOf(message: MessageView): MessageState;
  /** What the quote of a reply says of the message it answers (without it, replies show no quote). */
  quoteOf?(replyTo: string): Quote;
  /** A reactor's name ("You" is the row's own affair). */
  personName?(id: string): string;
  /** The key of the row shown highlighted (the original a quote led to), if any. */
  highlightedKey?(): string | null;
  /** Who a user id is, for system lines ("You", a contact's name, or unnamed); without it senderName is used. */
  person?(id: string): Pick<Person, 'name' | 'self'>;
  /** True for a message whose sender the person blocked and has not chosen to see (src/models/contact-standing.ts). */
  isHidden?(message: MessageView): boolean;
}

/** Builds the DOM of one row of the message list: a day separator, the start note, or a message. */
export function rowNode(row: MessageRow<MessageView> | { kind: 'start'; key: string }, ctx: RowContext): HTMLElement {
  if (row.kind === 'start') {
    return h('div', { class: 'row row-start', 'data-key': row.key }, 'This is the beginning of the conversation.');
  }
  if (row.kind === 'day') {
    return h('div', { class: 'row row-day', 'data-key': row.key }, h('span', {}, dayLabel(row.at)));
  }
  return messageNode(row, ctx);
}

/**
 * A message row: the bubble (sender, the quote of the message it answers,
 * the body or the deleted notice, time with the edited and pending marks and
 * the status), the reactions under it, the menu button beside it, and what
 * failed with its way out.
 */
function messageNode(row: Extract<MessageRow<MessageView>, { kind: 'message' }>, ctx: RowContext): HTMLElement {
  const m = row.message;
  if (isSystemEntry(m)) return systemLineNode(row.key, m, (id) => ctx.person?.(id) ?? { name: plainName(ctx.senderName(id)), self: id === ctx.selfId });
  const own = m.senderId === ctx.selfId;
  if (!own && ctx.isHidden?.(m)) return hiddenRow(row.key, m);
  const state = own ? ctx.stateOf(m) : 'sent';
  const deleted = Boolean(m.deletedAt);
  const changes = m.pendingChanges ?? [];
  const highlighted = ctx.highlightedKey?.() === row.key;
  const classes = ['row', 'row-message', own ? 'is-own' : 'is-other', row.firstOfGroup ? 'is-first' : '', `state-${state}`, deleted ? 'is-deleted' : '', highlighted ? 'is-highlighted' : ''];
  const sentAt = new Date(m.sentAt);
  const actions = messageActions(m, ctx.selfId, ctx.isGroup);
  return h('div', { class: classes.filter(Boolean).join(' '), 'data-key': row.key, 'data-seq': m.seq ?? '', 'data-id': m.id },
    h('div', { class: 'bubble', tabindex: highlighted ? -1 : undefined },
      !own && ctx.isGroup && row.firstOfGroup ? h('span', { class: 'sender' }, ctx.senderName(m.senderId)) : null,
      m.replyTo && !deleted && ctx.quoteOf ? quoteNode(ctx.quoteOf(m.replyTo)) : null,
      deleted ? h('p', { class: 'body is-deleted' }, DELETED_TEXT) : h('p', { class: 'body' }, linkify(m.body)),
      h('span', { class: 'meta' },
        m.editedAt && !deleted ? editedMark(m.editedAt) : null,
        changes.some((c) => c.state === 'pending') ? pendingChangeMark() : null,
        h('time', { datetime: sentAt.toISOString(), title: localFormat(sentAt, FULL_DATE_TIME) }, clockTime(m.sentAt)),
        own ? statusIcon(state) : null),
      actions.length > 0 ? menuButton() : null),
    deleted ? null : reactionsNode(m.reactions, ctx.selfId, ctx.personName ?? ((id) => plainName(ctx.senderName(id)))),
    own && state === 'failed' ? failedActions(m) : null,
    ...changes.filter((c) => c.state === 'failed').map(failedChangeNode),
  );
}

/** A blocked person's message in a shared group: one collapsed line, its seq kept, shown on request. */
function hiddenRow(key: string, m: MessageView): HTMLElement {
  return h('div', { class: 'row row-message is-other is-first is-hidden-sender', 'data-key': key, 'data-seq': m.seq ?? '' },
    h('div', { class: 'hidden-message' },
      h('span', {}, 'Message from a blocked person'),
      h('button', { type: 'button', class: 'link-button', 'data-reveal': key }, 'Show')));
}

function statusIcon(state: MessageState): HTMLElement {
  const glyph = state === 'pending' ? icon('clock') : state === 'failed' ? icon('alert') : state === 'sent' ? icon('check') : icon('doubleCheck');
  return h('span', { class: `status status-${state}`, role: 'img', 'aria-label': STATE_LABELS[state], title: STATE_LABELS[state] }, glyph);
}

function failedActions(m: MessageView): HTMLElement {
  const why = m.error?.message ? `Not sent: ${m.error.message}` : 'Not sent.';
  return h('div', { class: 'failed-actions' },
    h('span', {}, why),
    h('button', { type: 'button', class: 'link-button', 'data-retry': m.clientMessageId }, 'Retry'),
    h('button', { type: 'button', class: 'link-button danger', 'data-discard': m.clientMessageId }, 'Delete'));
}

/** A name as plain text: senderName may give a node (the display name beside the @username). */
function plainName(name: string | Node): string {
  return typeof name === 'string' ? name : (name.textContent ?? '');
}

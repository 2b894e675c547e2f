import type { MessageState, MessageView } from '../core/client-core-api';
import { h } from './dom';
import { FULL_DATE_TIME, clockTime, dayLabel, localFormat } from './format';
import { icon } from './icons';
import { linkify } from './linkify';
import type { MessageRow } from './message-rows';
import { STATE_LABELS } from './message-state';

/** What a row needs to know beyond the message itself. */
export interface RowContext {
  selfId: string | undefined;
  isGroup: boolean;
  /** The sender as shown above a group message: `Display Name @username` (an element) or plain text. */
  senderName(id: string): string | Node;
  stateOf(message: MessageView): MessageState;
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
  const m = row.message;
  const own = m.senderId === ctx.selfId;
  if (!own && ctx.isHidden?.(m)) return hiddenRow(row.key, m);
  const state = own ? ctx.stateOf(m) : 'sent';
  const classes = ['row', 'row-message', own ? 'is-own' : 'is-other', row.firstOfGroup ? 'is-first' : '', `state-${state}`];
  const sentAt = new Date(m.sentAt);
  return h('div', { class: classes.join(' '), 'data-key': row.key, 'data-seq': m.seq ?? '' },
    h('div', { class: 'bubble' },
      !own && ctx.isGroup && row.firstOfGroup ? h('span', { class: 'sender' }, ctx.senderName(m.senderId)) : null,
      h('p', { class: 'body' }, linkify(m.body)),
      h('span', { class: 'meta' },
        h('time', { datetime: sentAt.toISOString(), title: localFormat(sentAt, FULL_DATE_TIME) }, clockTime(m.sentAt)),
        own ? statusIcon(state) : null)),
    own && state === 'failed' ? failedActions(m) : null,
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

import type { MessageView } from '../core/client-core-api';
import type { ErrorCode } from '../protocol';
import { h } from './dom';
import { FULL_DATE_TIME, localFormat } from './format';
import { icon } from './icons';

/**
 * The version 2 parts of a message row, apart from the row itself
 * (message-node.ts): the quote of the message it answers, the "edited" and
 * "pending" marks, the reactions, a failed change's sentence, the menu
 * button. Each is text built with `h()`, never markup.
 */

/** What a reply's quote can say of the message it answers. */
export type Quote =
  | { kind: 'message'; id: string; senderName: string; text: string }
  | { kind: 'deleted'; id: string; senderName: string }
  /** Not on this device yet: it is being fetched; a click fetches it and goes there. */
  | { kind: 'loading'; id: string }
  /** Not visible to this person (before they joined, or unknown): a neutral word, nothing more. */
  | { kind: 'hidden' };

/** The words a deleted message shows instead of its content. */
export const DELETED_TEXT = 'This message was deleted';
/** The neutral quote of a message this person cannot see. */
export const EARLIER_MESSAGE = 'Earlier message';

/** The first line of a body, cut at a length a quote can show. */
export function firstLine(body: string, max = 120): string {
  const line = body.trim().split('\n', 1)[0] ?? '';
  const chars = Array.from(line);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : line;
}

/** The quote above a reply; a button that leads to the original, unless this person cannot see it. */
export function quoteNode(quote: Quote): HTMLElement {
  if (quote.kind === 'hidden') return h('span', { class: 'quote is-hidden' }, h('span', { class: 'quote-text' }, EARLIER_MESSAGE));
  const [name, text, label] =
    quote.kind === 'message' ? [quote.senderName, quote.text, `Reply to ${quote.senderName}: ${quote.text}`]
      : quote.kind === 'deleted' ? [quote.senderName, 'Deleted message', `Reply to a deleted message from ${quote.senderName}`]
        : [null, EARLIER_MESSAGE, `Reply to an ${EARLIER_MESSAGE.toLowerCase()}`];
  return h('button', { type: 'button', class: `quote is-${quote.kind}`, 'data-quote': quote.id, 'aria-label': label, title: 'Show the original message' },
    name ? h('span', { class: 'quote-sender' }, name) : null,
    h('span', { class: 'quote-text' }, text));
}

/** "edited", with the time of the edit as its title. */
export function editedMark(editedAt: number): HTMLElement {
  const at = localFormat(new Date(editedAt), FULL_DATE_TIME);
  return h('span', { class: 'edited-mark', title: `Edited ${at}` }, 'edited');
}

/** The subtle mark of a change made here that has not gone out yet. */
export function pendingChangeMark(): HTMLElement {
  return h('span', { class: 'change-pending', title: 'Your change will be sent when you are back online' }, icon('clock'), 'pending');
}

type Change = NonNullable<MessageView['pendingChanges']>[number];

const CHANGE_FAILURES: Partial<Record<ErrorCode, string>> = {
  GONE: 'This message was deleted before your change arrived.',
  FORBIDDEN: 'You are no longer a member of this conversation.',
};

const CHANGE_NAMES: Record<Change['kind'], string> = { edit: 'Your edit', delete: 'Your deletion', reaction: 'Your reaction' };

/** The sentence for a change the server refused. */
export function changeFailureText(change: Change): string {
  const known = change.error ? CHANGE_FAILURES[change.error.code] : undefined;
  if (known) return known;
  const why = change.error?.message ? `: ${change.error.message}` : '.';
  return `${CHANGE_NAMES[change.kind]} could not be made${why}`;
}

/** A refused change: its sentence, Retry (send it again) and Dismiss (drop it, undoing it here). */
export function failedChangeNode(change: Change): HTMLElement {
  return h('div', { class: 'failed-actions failed-change', role: 'group', 'aria-label': 'Change not made' },
    h('span', {}, changeFailureText(change)),
    h('button', { type: 'button', class: 'link-button', 'data-retry-change': change.clientMessageId }, 'Retry'),
    h('button', { type: 'button', class: 'link-button', 'data-dismiss-change': change.clientMessageId }, 'Dismiss'));
}

/** Who reacted, in words: "You, Bob and Carol". */
export function namesList(names: string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** The reaction chips under a message: emoji and count, naming who reacted; pressed when one of them is me. */
export function reactionsNode(reactions: MessageView['reactions'], selfId: string | undefined, personName: (id: string) => string): HTMLElement | null {
  const entries = Object.entries(reactions ?? {}).filter(([, who]) => who.length > 0);
  if (entries.length === 0) return null;
  return h('div', { class: 'reactions', role: 'group', 'aria-label': 'Reactions' },
    ...entries.map(([emoji, who]) => {
      // Me first, as "You", then the others by name.
      const mine = selfId !== undefined && who.includes(selfId);
      const names = [...(mine ? ['You'] : []), ...who.filter((id) => id !== selfId).map(personName)];
      const label = `${emoji} ${who.length}: ${namesList(names)}`;
      return h('button', { type: 'button', class: 'reaction-chip', 'aria-pressed': String(mine), 'aria-label': label, title: namesList(names), 'data-emoji': emoji },
        h('span', { class: 'reaction-emoji', 'aria-hidden': 'true' }, emoji),
        h('span', { class: 'reaction-count', 'aria-hidden': 'true' }, who.length));
    }));
}

/** The button that opens a message's menu (the row's context menu and a long press open it too). */
export function menuButton(): HTMLElement {
  return h('button', { type: 'button', class: 'message-menu-button', 'aria-label': 'Message actions', 'aria-haspopup': 'menu', title: 'Message actions' }, icon('more'));
}

/** The menu entries a message offers this person. */
export type MessageAction = 'reply' | 'react' | 'edit' | 'delete' | 'info';

export const ACTION_LABELS: Record<MessageAction, string> = {
  reply: 'Reply',
  react: 'React',
  edit: 'Edit',
  delete: 'Delete for everyone',
  info: 'Info',
};

/**
 * Reply and React for any message the server has; Edit and Delete for one's
 * own (a pending one too: the change merges into what is sent); Info for
 * one's own in a group. A deleted message offers nothing, and neither does
 * a send that failed (its row has Retry and Delete).
 */
export function messageActions(m: MessageView, selfId: string | undefined, isGroup: boolean): MessageAction[] {
  if ((m.kind ?? 'message') !== 'message' || m.deletedAt || m.state === 'failed') return [];
  const own = m.senderId === selfId;
  const stored = m.seq !== null;
  const actions: MessageAction[] = [];
  if (stored) actions.push('reply', 'react');
  if (own) actions.push('edit', 'delete');
  if (own && isGroup && stored) actions.push('info');
  return actions;
}

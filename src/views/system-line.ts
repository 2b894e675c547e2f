import type { ErrorCode } from '../protocol';
import { h } from './dom';
import { FULL_DATE_TIME, clockTime, localFormat } from './format';
import { icon } from './icons';
import { joinNames, type Person } from './people';

/**
 * The entries of a conversation's log that change the conversation itself
 * (members, title) rather than say something: shown in the history as a
 * centred, quiet line ("Ann added Ben and Cy") without bubble or menu.
 */
export interface SystemEntry {
  kind?: string;
  seq: number | null;
  senderId: string;
  clientMessageId: string;
  sentAt: number;
  state: string;
  error?: { code: ErrorCode; message: string };
  added?: readonly string[];
  removed?: readonly string[];
  title?: string;
}

/** True for the entries shown as a system line: `members` and `title`. */
export function isSystemEntry(entry: { kind?: string }): boolean {
  return entry.kind === 'members' || entry.kind === 'title';
}

type Lookup = (id: string) => Pick<Person, 'name' | 'self'>;

/**
 * The sentence for a system entry. Oneself is "You" ("you" as the object),
 * a contact is their name, and an id this person cannot name (a member added
 * by someone else, not a contact) is "someone": never the raw id.
 */
export function systemLineText(entry: SystemEntry, lookup: Lookup): string {
  const subject = subjectName(entry.senderId, lookup);
  if (entry.kind === 'title') return `${subject} renamed the group to “${entry.title ?? ''}”`;
  const objects = (ids: readonly string[] | undefined) => (ids ?? []).filter((id) => id !== entry.senderId).map((id) => objectName(id, lookup));
  const added = objects(entry.added);
  const removed = objects(entry.removed);
  const parts: string[] = [];
  if (added.length) parts.push(`added ${joinNames(added)}`);
  if (entry.added?.includes(entry.senderId)) parts.push('joined');
  if (removed.length) parts.push(`removed ${joinNames(removed)}`);
  if (entry.removed?.includes(entry.senderId)) parts.push('left');
  return `${subject} ${parts.length ? joinNames(parts) : 'changed the members'}`;
}

/** The row of a system entry in the message list, with its state when it is one's own change not yet acknowledged. */
export function systemLineNode(key: string, entry: SystemEntry, lookup: Lookup): HTMLElement {
  const sentAt = new Date(entry.sentAt);
  const state = entry.seq === null ? (entry.state === 'failed' ? 'failed' : 'pending') : 'sent';
  return h('div', { class: `row row-system state-${state}`, 'data-key': key, 'data-seq': entry.seq ?? '' },
    h('p', { class: 'system-line' },
      h('span', { class: 'system-text' }, systemLineText(entry, lookup)),
      h('time', { datetime: sentAt.toISOString(), title: localFormat(sentAt, FULL_DATE_TIME) }, clockTime(entry.sentAt)),
      state === 'pending' ? h('span', { class: 'system-pending', role: 'img', 'aria-label': 'Pending', title: 'Waiting to be sent' }, icon('clock')) : null),
    state === 'failed' ? failedChange(entry) : null);
}

function failedChange(entry: SystemEntry): HTMLElement {
  return h('div', { class: 'failed-actions system-failed' },
    h('span', {}, entry.error?.message ? `Not done: ${entry.error.message}` : 'Not done.'),
    h('button', { type: 'button', class: 'link-button', 'data-system-retry': entry.clientMessageId }, 'Retry'),
    h('button', { type: 'button', class: 'link-button danger', 'data-system-dismiss': entry.clientMessageId }, 'Dismiss'));
}

function subjectName(id: string, lookup: Lookup): string {
  const person = lookup(id);
  return person.self ? 'You' : (person.name ?? 'Someone');
}

function objectName(id: string, lookup: Lookup): string {
  const person = lookup(id);
  return person.self ? 'you' : (person.name ?? 'someone');
}

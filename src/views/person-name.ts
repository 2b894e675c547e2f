import { h } from './dom';

/** A person as the views name them: the display name they chose and the username nobody else has. */
export interface NamedPerson {
  username: string;
  displayName: string;
}

/**
 * `Display Name @username` as one element. The display name is inside a
 * `<bdi>` (and app.css isolates `.display-name`), so direction overrides
 * (U+202E), right-to-left script or an unterminated embedding in it stay
 * inside it and cannot move, reverse or hide the username after it; the
 * username is [a-z0-9_.-] only and is always shown, so a look-alike display
 * name ("Аlice" with a Cyrillic А) still reads `@mallory`.
 */
export function personName(person: NamedPerson, className = 'person-name'): HTMLElement {
  const display = person.displayName.trim() || person.username;
  return h('span', { class: className },
    h('bdi', { class: 'display-name' }, display),
    ' ',
    h('span', { class: 'username', dir: 'ltr' }, `@${person.username}`));
}

/** Direction controls, which mean nothing to a screen reader and would only scramble a label shown as text. */
const BIDI_CONTROLS = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The same as plain text, for accessible names (`Message Alice @alice`): direction controls dropped. */
export function personLabel(person: NamedPerson): string {
  const display = person.displayName.replace(BIDI_CONTROLS, '').trim() || person.username;
  return `${display} @${person.username}`;
}

/** Finds a person by user id (the contacts list: view-core.ts `contactFinder`). */
export type PersonLookup = (id: string) => NamedPerson | undefined;

/** A member by id: `Display Name @username` when they are in the contacts list, else a neutral word. */
export function memberName(find: PersonLookup, id: string): HTMLElement {
  const person = find(id);
  return person ? personName(person) : h('span', { class: 'person-name' }, 'Unknown');
}

/**
 * A conversation's title as shown in the list and the header: a group's
 * title as its members wrote it, else the other members, each with their
 * username (a direct conversation is titled by the one other person).
 */
export function conversationTitleNode(conversation: { title: string; memberIds: string[] }, find: PersonLookup, selfId: string | undefined): (string | HTMLElement)[] {
  if (conversation.title.trim()) return [conversation.title];
  const others = conversation.memberIds.filter((id) => id !== selfId);
  if (others.length === 0) return ['Just you'];
  return others.flatMap((id, i) => (i === 0 ? [memberName(find, id)] : [', ', memberName(find, id)]));
}

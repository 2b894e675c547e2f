import type { ViewCore } from './view-core';

/** Who a user id is, as far as this person knows: themself, a contact, or someone unknown. */
export interface Person {
  id: string;
  /** The display name (else the username); null for someone neither oneself nor a contact. */
  name: string | null;
  username: string | null;
  self: boolean;
}

/** Looks a user id up in the session and the contacts; a stranger's id stays unnamed. */
export function personOf(core: Pick<ViewCore, 'session' | 'collections'>, id: string): Person {
  const user = core.session.currentUser();
  if (user && user.id === id) return { id, name: user.displayName || user.username, username: user.username, self: true };
  const contact = core.collections.contacts.get(id);
  if (contact) {
    const username = contact.get('username') || null;
    return { id, name: contact.get('displayName') || username, username, self: false };
  }
  return { id, name: null, username: null, self: false };
}

/**
 * A list of names as a sentence fragment: "Ben", "Ben and Cy", "Ben, Cy and
 * Dee", and past `max` names "Ben, Cy, Dee and 4 others" (a bulk add of fifty
 * people stays one short line).
 */
export function joinNames(names: readonly string[], max = 3): string {
  if (names.length === 0) return '';
  if (names.length === 1) return names[0] as string;
  if (names.length > max + 1) {
    const rest = names.length - max;
    return `${names.slice(0, max).join(', ')} and ${rest} others`;
  }
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1) as string}`;
}

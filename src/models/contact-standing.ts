import type { Contact, ContactState } from '../protocol';

/**
 * Where the signed-in person stands with someone in their contacts list
 * (docs/PROTOCOL.md, "Contacts by consent"): the rules the views follow, in
 * one place. An entry from a server before contact requests has no state
 * and counts as accepted.
 */
export function contactState(contact: Contact | undefined): ContactState {
  return contact?.state ?? 'accepted';
}

export function isBlocked(contact: Contact | undefined): boolean {
  return contact?.blocked === true;
}

/** An accepted contact not blocked: one can message them, add them to groups and see their presence. */
export function isReachable(contact: Contact | undefined): boolean {
  return contact !== undefined && contactState(contact) === 'accepted' && !isBlocked(contact);
}

/**
 * Whether a message from `senderId` is hidden for the signed-in person: they
 * blocked the sender. Blocking does not remove anyone from a shared group,
 * so their messages still arrive (and keep their seqs, receipts and
 * unread counts); the list shows a collapsed line in their place.
 */
export function hidesMessagesFrom(findContact: (id: string) => Contact | undefined, senderId: string): boolean {
  return isBlocked(findContact(senderId));
}

/** Incoming requests not blocked: what the Contacts tab's badge counts. */
export function pendingRequestCount(contacts: readonly Contact[]): number {
  return contacts.filter((c) => contactState(c) === 'incoming' && !isBlocked(c)).length;
}

import { ProtocolError, type ClientCommands, type Contact } from '../../src/protocol/index';
import type { Connection } from '../gateway/connection';
import { contactsKey } from '../hub/hub';
import type { ContactEntryRow } from '../storage/contacts-repo';
import { userIdOf, type Reply, type Services } from './context';
import { LIST_PAGE_ITEMS, fillPage, keyedReply, listRest, wantedAfter } from './reply-pages';

/** What the contacts commands use. */
export type ContactsServices = Pick<Services, 'config' | 'hub' | 'now' | 'presence' | 'storage' | 'userQuotas' | 'versions'>;

/**
 * Reading the contacts list (in pages of id order, cut by bytes: `afterId`,
 * `hasMore`, `lastId`) and asking someone to be a contact. The list holds
 * accepted contacts, requests either way and the users the owner blocked
 * (docs/PROTOCOL.md section 12); answering, removing and blocking are in
 * contact-requests.ts.
 */
export function getContacts(conn: Connection, p: ClientCommands['GetContactsCommand'], s: ContactsServices): Reply {
  const userId = userIdOf(conn);
  const afterId = p.afterId ?? '';
  const rows = p.ids ? requested(userId, wantedAfter(p.ids, afterId), s) : s.storage.contacts.page(userId, afterId, LIST_PAGE_ITEMS + 1);
  const page = fillPage(entriesOf(rows, s), contactId);
  return keyedReply('ContactsResponse', 'contacts', page, contactId, listRest(page, contactId, s.versions.get(contactsKey(userId))));
}

const contactId = (c: Contact): string => c.id;

function* requested(userId: string, ids: readonly string[], s: ContactsServices): Generator<ContactEntryRow> {
  for (const id of ids) {
    const row = s.storage.contacts.find(userId, id);
    if (row) yield row;
  }
}

function* entriesOf(rows: Iterable<ContactEntryRow>, s: ContactsServices): Generator<Contact> {
  for (const row of rows) yield s.presence.entryOf(row);
}

/**
 * A contact request, or acceptance at once when the other asked already.
 * A request to someone who blocked the caller is stored as declined from
 * the start: the caller sees it as outgoing, the other never sees it.
 */
export function addContact(conn: Connection, p: ClientCommands['AddContactCommand'], s: ContactsServices): Reply {
  const me = userIdOf(conn);
  s.userQuotas.requireContact(me);
  const other = s.storage.users.findByUsername(p.username);
  if (!other) throw new ProtocolError('NOT_FOUND', `no user ${JSON.stringify(p.username)}`);
  if (other.id === me) throw new ProtocolError('INVALID_PAYLOAD', 'username: you cannot add yourself as a contact');
  const repo = s.storage.contacts;
  const contact = changeRelation(me, other.id, s, () => {
    if (repo.isContact(me, other.id)) return;
    // Their request, even one the caller declined, is consent: asking back makes them contacts.
    if (repo.request(other.id, me) !== null) repo.addPair(me, other.id, s.now());
    else repo.addRequest(me, other.id, repo.hasBlocked(other.id, me), s.now());
  });
  return { name: 'AddContactResponse', payload: { contact: contact! } };
}

/**
 * Runs a change between two users, then tells each of them whose entry for
 * the other changed, with the new entry inline (or, when it left their
 * list, its id without an item: asking for it returns nothing). A side
 * whose view did not change hears nothing, so the other cannot learn, for
 * example, that a request was declined or dropped. Returns `me`'s entry
 * for `other` afterwards (null when none).
 */
export function changeRelation(me: string, other: string, s: ContactsServices, change: () => void): Contact | null {
  const before = [viewOf(me, other, s), viewOf(other, me, s)] as const;
  change();
  const after = [viewOf(me, other, s), viewOf(other, me, s)] as const;
  notifyIfChanged(me, other, before[0], after[0], s);
  notifyIfChanged(other, me, before[1], after[1], s);
  return after[0];
}

function viewOf(owner: string, other: string, s: ContactsServices): Contact | null {
  const row = s.storage.contacts.find(owner, other);
  return row ? s.presence.entryOf(row) : null;
}

function notifyIfChanged(owner: string, other: string, before: Contact | null, after: Contact | null, s: ContactsServices): void {
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  notifyEntry(owner, other, after, s);
}

/** One `contacts` notification to the owner's sockets about one entry (null: it left the list). */
export function notifyEntry(owner: string, other: string, entry: Contact | null, s: Pick<ContactsServices, 'hub' | 'versions'>): void {
  const key = contactsKey(owner);
  const version = s.versions.bump([key]);
  s.hub.notifyChanged([key], { resource: 'contacts', version, ids: [other], items: entry ? { [other]: entry } : {} });
}

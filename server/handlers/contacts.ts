import { ProtocolError, type ClientCommands, type Contact } from '../../src/protocol/index';
import type { Connection } from '../gateway/connection';
import { contactsKey } from '../hub/hub';
import type { ContactRow } from '../storage/contacts-repo';
import { userIdOf, type Reply, type Services } from './context';
import { LIST_PAGE_ITEMS, fillPage, keyedReply, listRest, wantedAfter } from './reply-pages';

/** What the contacts commands use. */
export type ContactsServices = Pick<Services, 'hub' | 'now' | 'presence' | 'storage' | 'userQuotas' | 'versions'>;

/** Reading (in pages of id order, cut by bytes: `afterId`, `hasMore`, `lastId`) and adding contacts. */
export function getContacts(conn: Connection, p: ClientCommands['GetContactsCommand'], s: ContactsServices): Reply {
  const userId = userIdOf(conn);
  const afterId = p.afterId ?? '';
  const rows = p.ids ? requested(userId, wantedAfter(p.ids, afterId), s) : s.storage.contacts.page(userId, afterId, LIST_PAGE_ITEMS + 1);
  const page = fillPage(contactsOf(rows, s), contactId);
  return keyedReply('ContactsResponse', 'contacts', page, contactId, listRest(page, contactId, s.versions.get(contactsKey(userId))));
}

const contactId = (c: Contact): string => c.id;

function* requested(userId: string, ids: readonly string[], s: ContactsServices): Generator<ContactRow> {
  for (const id of ids) {
    const row = s.storage.contacts.find(userId, id);
    if (row) yield row;
  }
}

function* contactsOf(rows: Iterable<ContactRow>, s: ContactsServices): Generator<Contact> {
  for (const row of rows) yield s.presence.contactOf(row);
}

export function addContact(conn: Connection, p: ClientCommands['AddContactCommand'], s: ContactsServices): Reply {
  const me = conn.user!;
  s.userQuotas.requireContact(me.id);
  const other = s.storage.users.findByUsername(p.username);
  if (!other) throw new ProtocolError('NOT_FOUND', `no user ${JSON.stringify(p.username)}`);
  if (other.id === me.id) throw new ProtocolError('INVALID_PAYLOAD', 'username: you cannot add yourself as a contact');
  const contact = s.presence.contactOf(other);
  if (s.storage.contacts.addPair(me.id, other.id, s.now())) {
    const mine = s.storage.users.findById(me.id)!;
    notify(other.id, me.id, s.presence.contactOf(mine), s);
    notify(me.id, other.id, contact, s);
  }
  return { name: 'AddContactResponse', payload: { contact } };
}

function notify(ownerId: string, contactId: string, contact: Contact, s: ContactsServices): void {
  const key = contactsKey(ownerId);
  const version = s.versions.bump([key]);
  s.hub.notifyChanged([key], { resource: 'contacts', version, ids: [contactId], items: { [contactId]: contact } });
}

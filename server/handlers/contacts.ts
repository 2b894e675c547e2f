import { ProtocolError, type ClientCommands, type Contact } from '../../src/protocol/index';
import type { Connection } from '../gateway/connection';
import { contactsKey } from '../hub/hub';
import { userIdOf, type Reply, type Services } from './context';

/** Reading and adding contacts. */
export function getContacts(conn: Connection, p: ClientCommands['GetContactsCommand'], s: Services): Reply {
  const userId = userIdOf(conn);
  const wanted = p.ids ? new Set(p.ids) : null;
  const contacts: Record<string, Contact> = {};
  for (const row of s.storage.contacts.list(userId)) {
    if (!wanted || wanted.has(row.id)) contacts[row.id] = s.presence.contactOf(row);
  }
  return { name: 'ContactsResponse', payload: { contacts, version: s.versions.get(contactsKey(userId)) } };
}

export function addContact(conn: Connection, p: ClientCommands['AddContactCommand'], s: Services): Reply {
  const me = conn.user!;
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

function notify(ownerId: string, contactId: string, contact: Contact, s: Services): void {
  const key = contactsKey(ownerId);
  const version = s.versions.bump([key]);
  s.hub.notifyChanged([key], { resource: 'contacts', version, ids: [contactId], items: { [contactId]: contact } });
}

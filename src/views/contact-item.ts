import { contactState, isBlocked } from '../models/contact-standing';
import type { Contact } from '../protocol';
import { h } from './dom';
import { initials, presenceLabel } from './format';
import { personLabel, personName } from './person-name';

/**
 * The rows of the contacts panel, one builder per standing: a contact, a
 * request to answer, a request of one's own, someone blocked. Every row
 * names the person `Display Name @username`, and every button's accessible
 * name says whom it acts on ("Accept Bob @bob"). Buttons carry the user id
 * in a data attribute for ContactsView's delegated events.
 */
export function contactRow(contact: Contact): HTMLLIElement {
  const label = personLabel(contact);
  return h('li', { class: 'contact-item', 'data-user': contact.id },
    avatar(contact, contact.online),
    h('span', { class: 'contact-main' },
      personName(contact, 'contact-name'),
      h('span', { class: 'contact-presence' }, presenceLabel(contact.online, contact.lastSeenAt))),
    h('span', { class: 'contact-actions' },
      h('button', { type: 'button', class: 'small', 'data-message': contact.id, 'aria-label': `Message ${label}` }, 'Message'),
      h('button', { type: 'button', class: 'link-button', 'data-remove': contact.id, 'aria-label': `Remove ${label} from contacts` }, 'Remove'),
      h('button', { type: 'button', class: 'link-button danger', 'data-block': contact.id, 'aria-label': `Block ${label}` }, 'Block')),
  );
}

/** Someone asking to become a contact: no presence (the server tells none before acceptance). */
export function incomingRow(contact: Contact): HTMLLIElement {
  const label = personLabel(contact);
  return h('li', { class: 'contact-item is-request', 'data-user': contact.id },
    avatar(contact, false),
    h('span', { class: 'contact-main' },
      personName(contact, 'contact-name'),
      h('span', { class: 'contact-presence' }, 'wants to be your contact')),
    h('span', { class: 'contact-actions' },
      h('button', { type: 'button', class: 'small', 'data-accept': contact.id, 'aria-label': `Accept ${label}` }, 'Accept'),
      h('button', { type: 'button', class: 'link-button', 'data-decline': contact.id, 'aria-label': `Decline ${label}` }, 'Decline'),
      h('button', { type: 'button', class: 'link-button danger', 'data-block': contact.id, 'aria-label': `Block ${label}` }, 'Block')),
  );
}

/** A request of one's own, waiting for the other person. */
export function outgoingRow(contact: Contact): HTMLLIElement {
  const label = personLabel(contact);
  return h('li', { class: 'contact-item is-request', 'data-user': contact.id },
    avatar(contact, false),
    h('span', { class: 'contact-main' },
      personName(contact, 'contact-name'),
      h('span', { class: 'contact-presence' }, h('span', { class: 'tag' }, 'Requested'))),
    h('span', { class: 'contact-actions' },
      h('button', { type: 'button', class: 'link-button', 'data-withdraw': contact.id, 'aria-label': `Withdraw the request to ${label}` }, 'Withdraw')),
  );
}

export function blockedRow(contact: Contact): HTMLLIElement {
  const label = personLabel(contact);
  const was = contactState(contact) === 'accepted' ? 'Blocked contact' : 'Blocked';
  return h('li', { class: 'contact-item is-blocked', 'data-user': contact.id },
    avatar(contact, false),
    h('span', { class: 'contact-main' },
      personName(contact, 'contact-name'),
      h('span', { class: 'contact-presence' }, was)),
    h('span', { class: 'contact-actions' },
      h('button', { type: 'button', class: 'link-button', 'data-unblock': contact.id, 'aria-label': `Unblock ${label}` }, 'Unblock')),
  );
}

/** Which list of the panel an entry belongs to. */
export function contactGroup(contact: Contact): 'contacts' | 'incoming' | 'outgoing' | 'blocked' | null {
  if (isBlocked(contact)) return 'blocked';
  const state = contactState(contact);
  if (state === 'accepted') return 'contacts';
  if (state === 'incoming' || state === 'outgoing') return state;
  return null;
}

function avatar(contact: Contact, online: boolean): HTMLElement {
  return h('span', { class: 'avatar', 'aria-hidden': 'true' },
    initials(contact.displayName || contact.username),
    h('span', { class: `presence-dot ${online ? 'is-online' : ''}` }));
}

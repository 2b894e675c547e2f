import Backbone from 'backbone';
import { contactState } from '../models/contact-standing';
import type { Contact } from '../protocol';
import { blockedRow, contactGroup, contactRow, incomingRow, outgoingRow } from './contact-item';
import { h, replaceChildren } from './dom';
import { NewGroupView } from './new-group-view';
import { personLabel } from './person-name';
import { attrs, type ContactModel, type ViewCore } from './view-core';

/**
 * The contacts panel: add someone by username (a contact request), answer
 * the requests others sent, see one's contacts and who is online among them,
 * withdraw one's own requests, block and unblock, and start a direct
 * conversation or a group. `onOpen` receives the conversation id.
 */
export class ContactsView extends Backbone.View {
  private readonly group: NewGroupView;
  private lists!: Record<'incoming' | 'contacts' | 'outgoing' | 'blocked', HTMLUListElement>;
  private sections!: Record<'incoming' | 'outgoing' | 'blocked', HTMLElement>;
  private clock: ReturnType<typeof setInterval> | undefined;

  override preinitialize(): void {
    this.tagName = 'section';
    this.className = 'contacts-panel';
    this.events = {
      'submit .add-contact': 'onAdd',
      'click [data-message]': 'onMessage',
      'click [data-accept]': 'onAccept',
      'click [data-decline]': 'onDecline',
      'click [data-withdraw]': 'onWithdraw',
      'click [data-remove]': 'onRemove',
      'click [data-block]': 'onBlock',
      'click [data-unblock]': 'onUnblock',
    };
  }

  constructor(private readonly core: ViewCore, private readonly onOpen: (conversationId: string) => void) {
    super();
    this.el.setAttribute('aria-label', 'Contacts');
    this.group = new NewGroupView(core, onOpen);
    this.listenTo(core.collections.contacts, 'add remove reset sort change', this.renderList);
    // "last seen 5 min ago" ages; a minute is fine-grained enough.
    this.clock = setInterval(() => this.renderList(), 60_000);
  }

  override render(): this {
    this.lists = {
      incoming: h('ul', { class: 'contact-list', 'aria-labelledby': 'requests-heading' }),
      contacts: h('ul', { class: 'contact-list', 'aria-label': 'Your contacts' }),
      outgoing: h('ul', { class: 'contact-list', 'aria-labelledby': 'requested-heading' }),
      blocked: h('ul', { class: 'contact-list', 'aria-labelledby': 'blocked-heading' }),
    };
    this.sections = {
      incoming: h('div', { class: 'contact-section' }, h('h2', { id: 'requests-heading', class: 'section-heading' }, 'Contact requests'), this.lists.incoming),
      outgoing: h('div', { class: 'contact-section' }, h('h2', { id: 'requested-heading', class: 'section-heading' }, 'Requested'), this.lists.outgoing),
      blocked: h('div', { class: 'contact-section' }, h('h2', { id: 'blocked-heading', class: 'section-heading' }, 'Blocked'), this.lists.blocked),
    };
    replaceChildren(this.el,
      h('form', { class: 'add-contact', novalidate: true },
        h('label', { for: 'add-contact-username', class: 'visually-hidden' }, 'Username to add'),
        h('input', { id: 'add-contact-username', name: 'username', placeholder: 'Add by username', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' }),
        h('button', { type: 'submit' }, 'Add contact'),
        h('p', { class: 'form-message', role: 'status' })),
      this.sections.incoming,
      this.lists.contacts,
      this.sections.outgoing,
      this.group.render().el,
      this.sections.blocked,
    );
    this.renderList();
    return this;
  }

  override remove(): this {
    if (this.clock !== undefined) clearInterval(this.clock);
    this.group.remove();
    return super.remove();
  }

  private renderList(): void {
    if (!this.lists) return;
    const groups: Record<'incoming' | 'contacts' | 'outgoing' | 'blocked', Contact[]> = { incoming: [], contacts: [], outgoing: [], blocked: [] };
    for (const model of this.core.collections.contacts.models) {
      const contact = attrs(model);
      const group = contactGroup(contact);
      if (group) groups[group].push(contact);
    }
    for (const list of Object.values(groups)) list.sort(byName);
    replaceChildren(this.lists.incoming, ...groups.incoming.map(incomingRow));
    replaceChildren(this.lists.contacts, ...groups.contacts.map(contactRow));
    replaceChildren(this.lists.outgoing, ...groups.outgoing.map(outgoingRow));
    replaceChildren(this.lists.blocked, ...groups.blocked.map(blockedRow));
    if (groups.contacts.length === 0) this.lists.contacts.append(h('li', { class: 'empty-note' }, 'No contacts yet. Add someone by their username.'));
    this.sections.incoming.hidden = groups.incoming.length === 0;
    this.sections.outgoing.hidden = groups.outgoing.length === 0;
    this.sections.blocked.hidden = groups.blocked.length === 0;
    this.sections.incoming.querySelector('h2')!.textContent = `Contact requests (${groups.incoming.length})`;
    this.group.renderChoices();
  }

  private say(text: string): void {
    this.$('.add-contact .form-message').text(text);
  }

  private async onAdd(e: JQuery.TriggeredEvent): Promise<void> {
    e.preventDefault();
    const input = this.$('.add-contact input')[0] as HTMLInputElement;
    const username = input.value.trim().toLowerCase();
    if (!username) return this.say('Type a username first.');
    if (username === this.core.session.currentUser()?.username) return this.say('That is you.');
    this.say('Sending the request…');
    try {
      const contact = await this.core.directory.addContact(username);
      input.value = '';
      this.say(contactState(contact) === 'accepted'
        ? `${personLabel(contact)} is now a contact.`
        : `Request sent to ${personLabel(contact)}. You will see each other once they accept.`);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'NOT_FOUND') this.say(`There is no user called "${username}".`);
      else if (code === 'RATE_LIMITED') this.say('Too many requests for now. Try again later.');
      else this.say('Could not send the request. Try again.');
    }
  }

  private async onMessage(e: JQuery.TriggeredEvent): Promise<void> {
    try {
      const conversation = await this.core.directory.createConversation([userOf(e, 'message')]);
      this.onOpen(conversation.id);
    } catch (error) {
      this.say((error as { code?: string }).code === 'FORBIDDEN' ? 'You can only message accepted contacts.' : 'Could not start the conversation. Try again.');
    }
  }

  private onAccept(e: JQuery.TriggeredEvent): Promise<void> {
    const id = userOf(e, 'accept');
    return this.act(id, () => this.core.directory.answerRequest(id, true), (name) => `${name} is now a contact.`);
  }

  private onDecline(e: JQuery.TriggeredEvent): Promise<void> {
    const id = userOf(e, 'decline');
    return this.act(id, () => this.core.directory.answerRequest(id, false), (name) => `Declined the request from ${name}.`);
  }

  private onWithdraw(e: JQuery.TriggeredEvent): Promise<void> {
    const id = userOf(e, 'withdraw');
    return this.act(id, () => this.core.directory.removeContact(id), (name) => `Withdrew the request to ${name}.`);
  }

  private onRemove(e: JQuery.TriggeredEvent): Promise<void> {
    const id = userOf(e, 'remove');
    if (!window.confirm(`Remove ${this.nameOf(id)} from your contacts? Your conversations stay, but neither of you can write in your direct conversation until you are contacts again.`)) return Promise.resolve();
    return this.act(id, () => this.core.directory.removeContact(id), (name) => `${name} is no longer a contact.`);
  }

  private onBlock(e: JQuery.TriggeredEvent): Promise<void> {
    const id = userOf(e, 'block');
    if (!window.confirm(`Block ${this.nameOf(id)}? They will not be able to send you requests, write to you directly, see when you are online or add you to groups, and their messages in shared groups are hidden for you.`)) return Promise.resolve();
    return this.act(id, () => this.core.directory.setBlocked(id, true), (name) => `Blocked ${name}.`);
  }

  private onUnblock(e: JQuery.TriggeredEvent): Promise<void> {
    const id = userOf(e, 'unblock');
    return this.act(id, () => this.core.directory.setBlocked(id, false), (name) => `Unblocked ${name}.`);
  }

  /** Runs a directory action on one person and says how it went; the name is taken first, as a declined entry is gone after. */
  private async act(id: string, run: () => Promise<unknown>, done: (name: string) => string): Promise<void> {
    const name = this.nameOf(id);
    try {
      await run();
      this.say(done(name));
    } catch {
      this.say(`That did not work for ${name}. Try again.`);
    }
  }

  private nameOf(id: string): string {
    const model = this.core.collections.contacts.get(id) as ContactModel | undefined;
    return model ? personLabel(attrs(model)) : 'this person';
  }
}

function userOf(e: JQuery.TriggeredEvent, key: string): string {
  return (e.currentTarget as HTMLElement).dataset[key] as string;
}

function byName(a: Contact, b: Contact): number {
  const name = (c: Contact) => c.displayName || c.username;
  return name(a).localeCompare(name(b)) || a.username.localeCompare(b.username);
}

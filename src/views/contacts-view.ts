import Backbone from 'backbone';
import { h, replaceChildren } from './dom';
import { initials, presenceLabel } from './format';
import { NewGroupView } from './new-group-view';
import { attrs, type ContactModel, type ViewCore } from './view-core';

/**
 * The contacts panel: add a contact by username, see who is online, and start
 * a direct conversation or a group. `onOpen` receives the conversation id.
 */
export class ContactsView extends Backbone.View {
  private readonly group: NewGroupView;
  private list!: HTMLUListElement;
  private clock: ReturnType<typeof setInterval> | undefined;

  override preinitialize(): void {
    this.tagName = 'section';
    this.className = 'contacts-panel';
    this.events = {
      'submit .add-contact': 'onAdd',
      'click [data-message]': 'onMessage',
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
    this.list = h('ul', { class: 'contact-list', 'aria-label': 'Your contacts' });
    replaceChildren(this.el,
      h('form', { class: 'add-contact', novalidate: true },
        h('label', { for: 'add-contact-username', class: 'visually-hidden' }, 'Username to add'),
        h('input', { id: 'add-contact-username', name: 'username', placeholder: 'Add by username', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' }),
        h('button', { type: 'submit' }, 'Add contact'),
        h('p', { class: 'form-message', role: 'status' })),
      this.list,
      this.group.render().el,
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
    if (!this.list) return;
    const contacts = [...this.core.collections.contacts.models].sort(byName);
    replaceChildren(this.list, ...contacts.map((c) => contactItem(c)));
    if (contacts.length === 0) this.list.append(h('li', { class: 'empty-note' }, 'No contacts yet.'));
    this.group.renderChoices();
  }

  private async onAdd(e: JQuery.TriggeredEvent): Promise<void> {
    e.preventDefault();
    const input = this.$('.add-contact input')[0] as HTMLInputElement;
    const message = this.$('.add-contact .form-message');
    const username = input.value.trim().toLowerCase();
    if (!username) return void message.text('Type a username first.');
    message.text('Adding…');
    try {
      const contact = await this.core.directory.addContact(username);
      input.value = '';
      message.text(`${contact.displayName || contact.username} is now a contact.`);
    } catch (error) {
      const code = (error as { code?: string }).code;
      message.text(code === 'NOT_FOUND' ? `There is no user called "${username}".` : 'Could not add the contact. Try again.');
    }
  }

  private async onMessage(e: JQuery.TriggeredEvent): Promise<void> {
    const id = (e.currentTarget as HTMLElement).dataset.message as string;
    try {
      const conversation = await this.core.directory.createConversation([id]);
      this.onOpen(conversation.id);
    } catch {
      this.$('.add-contact .form-message').text('Could not start the conversation. Try again.');
    }
  }
}

function contactItem(contact: ContactModel): HTMLLIElement {
  const c = attrs(contact);
  const name = c.displayName || c.username;
  const online = c.online;
  return h('li', { class: 'contact-item' },
    h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(name), h('span', { class: `presence-dot ${online ? 'is-online' : ''}` })),
    h('span', { class: 'contact-main' },
      h('span', { class: 'contact-name' }, name),
      h('span', { class: 'contact-presence' }, `@${c.username} · ${presenceLabel(online, c.lastSeenAt)}`)),
    h('button', { type: 'button', class: 'small', 'data-message': contact.id as string, 'aria-label': `Message ${name}` }, 'Message'),
  );
}

function byName(a: ContactModel, b: ContactModel): number {
  const name = (m: ContactModel) => attrs(m).displayName || attrs(m).username;
  return name(a).localeCompare(name(b));
}

import Backbone from 'backbone';
import { isReachable } from '../models/contact-standing';
import { h, replaceChildren } from './dom';
import { personName } from './person-name';
import { attrs, type ViewCore } from './view-core';

/** The "new group" form: a title and a checkbox per accepted contact (requests and blocked people cannot be added). */
export class NewGroupView extends Backbone.View {
  private choices!: HTMLFieldSetElement;

  override preinitialize(): void {
    this.tagName = 'details';
    this.className = 'new-group';
    this.events = { 'submit form': 'onSubmit' };
  }

  constructor(private readonly core: ViewCore, private readonly onOpen: (conversationId: string) => void) {
    super();
  }

  override render(): this {
    this.choices = h('fieldset', { class: 'group-members' }, h('legend', {}, 'Members'));
    replaceChildren(this.el,
      h('summary', {}, 'New group'),
      h('form', { novalidate: true },
        h('label', { class: 'field' }, h('span', {}, 'Group name'), h('input', { name: 'title', maxlength: 100, autocomplete: 'off' })),
        this.choices,
        h('button', { type: 'submit', class: 'primary' }, 'Create group'),
        h('p', { class: 'form-message', role: 'status' })),
    );
    this.renderChoices();
    return this;
  }

  /** Re-lists the contacts, keeping the boxes already ticked. */
  renderChoices(): void {
    if (!this.choices) return;
    const checked = new Set(this.$('input[name=member]:checked').map((_, el) => (el as HTMLInputElement).value).get());
    const reachable = this.core.collections.contacts.models.map(attrs).filter(isReachable);
    replaceChildren(this.choices, h('legend', {}, 'Members'),
      ...reachable.map((c) =>
        h('label', { class: 'check' },
          h('input', { type: 'checkbox', name: 'member', value: c.id, checked: checked.has(c.id) }),
          personName(c))));
  }

  private async onSubmit(e: JQuery.TriggeredEvent): Promise<void> {
    e.preventDefault();
    const message = this.$('.form-message');
    const title = String(this.$('input[name=title]').val() ?? '').trim();
    const memberIds = this.$('input[name=member]:checked').map((_, el) => (el as HTMLInputElement).value).get();
    if (!title) return void message.text('Give the group a name.');
    if (memberIds.length === 0) return void message.text('Pick at least one member.');
    try {
      const conversation = await this.core.directory.createConversation(memberIds, title);
      (this.el as HTMLDetailsElement).open = false;
      this.render();
      this.onOpen(conversation.id);
    } catch {
      message.text('Could not create the group. Try again.');
    }
  }
}

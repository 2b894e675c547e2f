import Backbone from 'backbone';
import { ProtocolError } from '../protocol';
import { h, replaceChildren } from './dom';
import { initials } from './format';
import { icon } from './icons';
import { personOf, type Person } from './people';
import { attrs, conversationTitle, type ContactModel, type ConversationModel, type ViewCore } from './view-core';

/** A group's name, in code points after trimming, as the server counts it (1-100). */
export const MAX_TITLE_LENGTH = 100;

/**
 * The group panel, a modal dialog opened from the conversation's header: the
 * name with Rename (any member), the members with their usernames, Remove
 * (the owner, per member), Add members from one's contacts who are not in
 * the group, and Leave with a confirmation. Every change goes through the
 * outbox, so it works offline: it shows in the history as pending until sent.
 * Once the person is no longer a member the panel only lists.
 */
export class GroupPanelView extends Backbone.View<ConversationModel> {
  private dialog!: HTMLDialogElement;
  private titleInput!: HTMLInputElement;
  private membersEl!: HTMLElement;
  private candidatesEl!: HTMLElement;
  private actionsEl!: HTMLElement;

  override preinitialize(): void {
    this.tagName = 'dialog';
    this.className = 'group-panel';
    this.events = {
      'submit .rename-form': 'onRename',
      'submit .add-members-form': 'onAdd',
      'change .add-members-form input': 'renderAddButton',
      'click [data-remove-member]': 'onRemove',
      'click .leave-button': 'onAskLeave',
      'click .leave-cancel': 'onCancelLeave',
      'click .leave-confirm': 'onLeave',
      'click .close-panel': 'close',
      close: 'onClosed',
    };
  }

  constructor(model: ConversationModel, private readonly core: ViewCore) {
    super({ model });
    this.dialog = this.el as HTMLDialogElement;
    this.dialog.setAttribute('aria-labelledby', 'group-panel-title');
    this.listenTo(model, 'change:title', this.renderTitle);
    this.listenTo(model, 'change:memberIds change:ownerId change:members', this.renderLists);
    this.listenTo(core.collections.contacts, 'add remove reset change', this.renderLists);
  }

  override render(): this {
    // maxlength counts UTF-16 units: twice the limit lets 100 emoji in; the submit counts code points.
    this.titleInput = h('input', { id: 'group-name-input', name: 'title', autocomplete: 'off', maxlength: MAX_TITLE_LENGTH * 2, required: true });
    this.membersEl = h('section', { class: 'panel-section', 'aria-labelledby': 'group-members-heading' });
    this.candidatesEl = h('section', { class: 'panel-section', 'aria-labelledby': 'add-members-heading' });
    this.actionsEl = h('section', { class: 'panel-section panel-leave' });
    replaceChildren(this.el,
      h('header', { class: 'panel-header' },
        h('h2', { id: 'group-panel-title' }, 'Group details'),
        h('button', { type: 'button', class: 'close-panel icon-button', 'aria-label': 'Close group details' }, icon('close'))),
      h('form', { class: 'rename-form panel-section', novalidate: true },
        h('label', { for: 'group-name-input', class: 'panel-label' }, 'Group name'),
        h('div', { class: 'rename-row' }, this.titleInput, h('button', { type: 'submit', class: 'small' }, 'Rename')),
        h('p', { class: 'form-message', role: 'status' })),
      this.membersEl,
      this.candidatesEl,
      this.actionsEl,
    );
    this.titleInput.value = attrs(this.model as ConversationModel).title;
    this.renderLists();
    return this;
  }

  /** Shows the panel as a modal dialog (focus kept inside, Escape closes); it triggers `closed` when it goes. */
  open(): void {
    if (!this.dialog.isConnected) document.body.appendChild(this.dialog);
    if (!this.dialog.open) {
      if (typeof this.dialog.showModal === 'function') this.dialog.showModal();
      else this.dialog.setAttribute('open', '');
    }
    this.titleInput.focus();
  }

  close(): void {
    if (this.dialog.open && typeof this.dialog.close === 'function') this.dialog.close();
    else this.onClosed();
  }

  override remove(): this {
    if (this.dialog.open && typeof this.dialog.close === 'function') this.dialog.close();
    return super.remove();
  }

  private get selfId(): string | undefined {
    return this.core.session.currentUser()?.id;
  }

  private isMember(): boolean {
    const self = this.selfId;
    return self !== undefined && (this.model as ConversationModel).isMember(self);
  }

  private isOwner(): boolean {
    return this.isMember() && attrs(this.model as ConversationModel).ownerId === this.selfId;
  }

  /** The server's name for the group, unless the person is editing the field. */
  private renderTitle(): void {
    if (document.activeElement !== this.titleInput) this.titleInput.value = attrs(this.model as ConversationModel).title;
  }

  private renderLists(): void {
    if (!this.membersEl) return;
    const conversation = attrs(this.model as ConversationModel);
    const member = this.isMember();
    this.$('.rename-form').prop('hidden', !member);
    const people = conversation.memberIds.map((id) => personOf(this.core, id)).sort(byName);
    replaceChildren(this.membersEl,
      h('h3', { id: 'group-members-heading' }, `Members (${people.length})`),
      h('ul', { class: 'member-list', 'aria-labelledby': 'group-members-heading' }, ...people.map((p) => this.memberItem(p, conversation.ownerId))));
    this.renderCandidates(member);
    replaceChildren(this.actionsEl, member
      ? h('button', { type: 'button', class: 'leave-button link-button danger' }, 'Leave group')
      : h('p', { class: 'panel-note' }, 'You are no longer a member of this group.'));
  }

  private memberItem(person: Person, ownerId: string | null): HTMLLIElement {
    const name = person.name ?? 'Someone not in your contacts';
    const removable = this.isOwner() && !person.self;
    return h('li', { class: 'member-item' },
      h('span', { class: 'avatar small', 'aria-hidden': 'true' }, initials(person.name ?? '?')),
      h('span', { class: 'member-main' },
        h('span', { class: 'member-name' }, name, person.self ? h('span', { class: 'member-you' }, ' (you)') : null),
        person.username ? h('span', { class: 'member-username' }, `@${person.username}`) : null),
      person.id === ownerId ? h('span', { class: 'tag tag-owner' }, 'Owner') : null,
      removable ? h('button', { type: 'button', class: 'small danger-soft', 'data-remove-member': person.id, 'aria-label': `Remove ${name}` }, 'Remove') : null);
  }

  /** The contacts who are not in the group, as checkboxes; ticks survive a re-render. */
  private renderCandidates(member: boolean): void {
    const checked = new Set(this.$('.add-members-form input:checked').map((_, el) => (el as HTMLInputElement).value).get());
    const inGroup = new Set(attrs(this.model as ConversationModel).memberIds);
    const candidates = this.core.collections.contacts.filter((c) => !inGroup.has(c.id as string)).sort(contactsByName);
    if (!member) return void replaceChildren(this.candidatesEl);
    replaceChildren(this.candidatesEl,
      h('h3', { id: 'add-members-heading' }, 'Add members'),
      candidates.length === 0
        ? h('p', { class: 'panel-note' }, 'All your contacts are in this group.')
        : h('form', { class: 'add-members-form', novalidate: true },
          h('fieldset', { class: 'group-members' },
            h('legend', { class: 'visually-hidden' }, 'Contacts to add'),
            ...candidates.map((c) => {
              const name = c.get('displayName') || c.get('username');
              return h('label', { class: 'check' },
                h('input', { type: 'checkbox', name: 'add-member', value: c.id as string, checked: checked.has(c.id as string) }),
                h('span', {}, name, ' ', h('span', { class: 'member-username' }, `@${c.get('username')}`)));
            })),
          h('button', { type: 'submit', class: 'small add-members-button', disabled: true }, 'Add to group')),
      h('p', { class: 'form-message add-message', role: 'status' }));
    this.renderAddButton();
  }

  private renderAddButton(): void {
    this.$('.add-members-button').prop('disabled', this.$('.add-members-form input:checked').length === 0);
  }

  private onRename(e: JQuery.TriggeredEvent): void {
    e.preventDefault();
    const message = this.$('.rename-form .form-message');
    const title = this.titleInput.value.trim();
    const length = [...title].length;
    message.removeClass('is-error');
    if (length === 0) return void message.addClass('is-error').text('Give the group a name.');
    if (length > MAX_TITLE_LENGTH) return void message.addClass('is-error').text(`A group name has at most ${MAX_TITLE_LENGTH} characters; this one has ${length}.`);
    const conversation = attrs(this.model as ConversationModel);
    if (title === conversation.title) return void message.text('That is already the group’s name.');
    try {
      this.core.outbox.renameConversation(conversation.id, title);
      this.titleInput.value = title;
      message.text(`Renamed to “${title}”.`);
    } catch (error) {
      message.addClass('is-error').text(refusal(error, 'Could not rename the group.'));
    }
  }

  private onAdd(e: JQuery.TriggeredEvent): void {
    e.preventDefault();
    const message = this.$('.add-message');
    const ids = this.$('.add-members-form input:checked').map((_, el) => (el as HTMLInputElement).value).get();
    if (ids.length === 0) return void message.text('Pick at least one contact.');
    try {
      this.core.outbox.addMembers((this.model as ConversationModel).id as string, ids);
      this.$('.add-members-form input:checked').prop('checked', false);
      this.renderAddButton();
      message.text(`Added ${ids.map((id) => personOf(this.core, id).name ?? 'someone').join(', ')}.`);
    } catch (error) {
      message.text(refusal(error, 'Could not add them.'));
    }
  }

  private onRemove(e: JQuery.TriggeredEvent): void {
    const memberId = (e.currentTarget as HTMLElement).dataset.removeMember as string;
    try {
      this.core.outbox.removeMember((this.model as ConversationModel).id as string, memberId);
    } catch (error) {
      this.$('.add-message').text(refusal(error, 'Could not remove them.'));
    }
  }

  private onAskLeave(): void {
    const conversation = attrs(this.model as ConversationModel);
    const title = conversationTitle(conversation, this.core.collections.contacts, this.selfId);
    const handsOn = this.isOwner() && conversation.memberIds.length > 1;
    replaceChildren(this.actionsEl,
      h('div', { class: 'leave-confirmation', role: 'group', 'aria-labelledby': 'leave-question' },
        h('p', { id: 'leave-question' }, `Leave “${title}”? You keep what is here but get no new messages.`),
        handsOn ? h('p', { class: 'panel-note' }, 'You own this group: the member who has been in it longest becomes its owner.') : null,
        h('div', { class: 'leave-buttons' },
          h('button', { type: 'button', class: 'leave-confirm primary danger' }, 'Leave'),
          h('button', { type: 'button', class: 'leave-cancel ghost' }, 'Cancel'))));
    (this.actionsEl.querySelector('.leave-cancel') as HTMLElement).focus();
  }

  private onCancelLeave(): void {
    this.renderLists();
    (this.actionsEl.querySelector('.leave-button') as HTMLElement | null)?.focus();
  }

  private onLeave(): void {
    const self = this.selfId;
    if (!self) return;
    try {
      this.core.outbox.removeMember((this.model as ConversationModel).id as string, self);
      this.close();
    } catch (error) {
      replaceChildren(this.actionsEl, h('p', { class: 'form-message is-error', role: 'status' }, refusal(error, 'Could not leave the group.')));
    }
  }

  private onClosed(): void {
    this.trigger('closed');
  }
}

/** The outbox's sentence when it refuses a change at once (a bad value), else a general one. */
function refusal(error: unknown, fallback: string): string {
  if (error instanceof ProtocolError) return `${fallback} ${error.message}`;
  return `${fallback} Try again.`;
}

function byName(a: Person, b: Person): number {
  if (a.self !== b.self) return a.self ? -1 : 1;
  return (a.name ?? '\uffff').localeCompare(b.name ?? '\uffff');
}

function contactsByName(a: ContactModel, b: ContactModel): number {
  const name = (c: ContactModel) => attrs(c).displayName || attrs(c).username;
  return name(a).localeCompare(name(b));
}

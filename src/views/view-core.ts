import type Backbone from 'backbone';
import type {
  DirectoryActions,
  HistoryActions,
  LoginActions,
  MessageView,
  OutboxActions,
  ReceiptActions,
  TypingActions,
} from '../core/client-core-api';
import type { Contact, Conversation } from '../protocol';
import type { DraftRecord } from '../store/records';

/**
 * What the views need from the client core (client-core-api.ts): the bus,
 * the actions and the collections. Declared structurally so a view test can
 * hand in a fake, and so the views depend on the contract, not on the core's
 * classes.
 */
export type ContactModel = Backbone.Model<Contact>;
export type MessageModel = Backbone.Model<MessageView>;
export type DraftModel = Backbone.Model<DraftRecord>;

/** The conversation model adds two read helpers to the wire attributes. */
export interface ConversationModel extends Backbone.Model<Conversation> {
  unreadCount(): number;
  lastMessage(): MessageView | MessageModel | null | undefined;
}

export interface ViewCollections {
  contacts: Backbone.Collection<ContactModel>;
  conversations: Backbone.Collection<ConversationModel>;
  messagesFor(conversationId: string): Backbone.Collection<MessageModel>;
  /** What the person was writing in the conversation; the composer saves and destroys it. */
  draftFor(conversationId: string): DraftModel;
}

export interface ViewCore {
  dispatch: Backbone.Events;
  session: LoginActions;
  outbox: OutboxActions;
  directory: DirectoryActions;
  history: HistoryActions;
  receipts: ReceiptActions;
  typing: TypingActions;
  collections: ViewCollections;
}

/** A message's attributes whether `lastMessage()` returned a model or plain attributes. */
export function messageAttributes(value: MessageView | MessageModel | null | undefined): MessageView | null {
  if (!value) return null;
  return 'attributes' in value && typeof (value as MessageModel).get === 'function'
    ? ((value as MessageModel).attributes as MessageView)
    : (value as MessageView);
}

/** The name to show for a conversation: its title, else the other members' names. */
export function conversationTitle(conversation: Conversation, contacts: ViewCollections['contacts'], selfId: string | undefined): string {
  if (conversation.title.trim()) return conversation.title;
  const names = conversation.memberIds
    .filter((id) => id !== selfId)
    .map((id) => contactName(contacts, id));
  return names.join(', ') || 'Just you';
}

/** A contact's display name, falling back to the username, then to a neutral word. */
export function contactName(contacts: ViewCollections['contacts'], id: string): string {
  const contact = contacts.get(id);
  return contact?.get('displayName') || contact?.get('username') || 'Unknown';
}

/** A model's attributes as the full wire type: the core only ever stores complete items. */
export function attrs<T extends object>(model: Backbone.Model<T>): T {
  return model.attributes as T;
}

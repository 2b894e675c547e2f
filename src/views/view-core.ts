import type Backbone from 'backbone';
import type { MessageModel, MessageView, ViewCollections } from '../core/client-core-api';
import type { Contact, Conversation } from '../protocol';

// The core's face is declared once, in src/core/client-core-api.ts; the views import it from here.
export type { ContactModel, ConversationModel, DraftModel, MessageModel, ViewCollections, ViewCore } from '../core/client-core-api';

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

/** Looks a person up in the contacts list by user id, as the wire type (or undefined). */
export function contactFinder(contacts: ViewCollections['contacts']): (id: string) => Contact | undefined {
  return (id) => {
    const model = contacts.get(id);
    return model ? attrs(model) : undefined;
  };
}

/** A model's attributes as the full wire type: the core only ever stores complete items. */
export function attrs<T extends object>(model: Backbone.Model<T>): T {
  return model.attributes as T;
}

import Backbone from 'backbone';
import type { MessageView } from './message-state';

/**
 * One message row: a server message or a local echo. Its id is the server
 * id once acknowledged; the collection keys it by sender and clientMessageId
 * so the acknowledgement updates the echo in place instead of adding a twin.
 */
export class Message extends Backbone.Model<MessageView> {
  override preinitialize(): void {
    this.idAttribute = 'id';
  }

  /** The attributes as the complete view type: rows are always built whole. */
  get data(): MessageView {
    return this.attributes as MessageView;
  }

  isPending(): boolean {
    return this.data.seq === null;
  }
}

/** The key that survives acknowledgement: a sender's clientMessageIds are unique. */
export function messageKey(attributes: Pick<MessageView, 'senderId' | 'clientMessageId'>): string {
  return `${attributes.senderId}/${attributes.clientMessageId}`;
}

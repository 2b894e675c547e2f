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

  /**
   * Where the row lives in the store: a local echo is its outbox entry (so
   * `destroy()` discards it); a server message is the server's, which the
   * store refuses to change from a model.
   */
  get schemaName(): 'outbox' | 'messages' {
    return this.isPending() ? 'outbox' : 'messages';
  }

  /** The record's id in that schema: an outbox entry is keyed by its clientMessageId. */
  storeId(): string {
    return this.isPending() ? this.data.clientMessageId : this.data.id;
  }
}

/** The key that survives acknowledgement: a sender's clientMessageIds are unique. */
export function messageKey(attributes: Pick<MessageView, 'senderId' | 'clientMessageId'>): string {
  return `${attributes.senderId}/${attributes.clientMessageId}`;
}

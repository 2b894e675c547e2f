import Backbone from 'backbone';
import type { DraftRecord } from '../store/records';

/** What the person was writing in one conversation (id = conversationId); the composer saves it as they type. */
export class Draft extends Backbone.Model<DraftRecord> {
  override preinitialize(): void {
    this.idAttribute = 'id';
  }

  get schemaName(): 'drafts' {
    return 'drafts';
  }
}

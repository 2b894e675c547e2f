import Backbone from 'backbone';
import type { Contact as ContactAttributes } from '../protocol';

/** A contact with presence: the protocol's Contact attributes, kept fresh by the contacts resource. */
export class Contact extends Backbone.Model<ContactAttributes> {
  override preinitialize(): void {
    this.idAttribute = 'id';
  }

  get schemaName(): 'contacts' {
    return 'contacts';
  }
}

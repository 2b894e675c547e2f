import Backbone from 'backbone';
import type { StoreChange } from '../store/schemas';
import type { Store } from '../store/store';
import { Contact } from './contact';
import type { ModelContext } from './model-context';
import { applyStoreChange } from './store-backed-collection';

/** The person's contacts: fetched from the store declared on it, then following `store:change:contacts`. */
export class ContactCollection extends Backbone.Collection<Contact> {
  readonly schemaName = 'contacts' as const;
  readonly store: Store;

  constructor(context: ModelContext) {
    super();
    this.store = context.store;
    void this.fetch({ reset: true });
    this.listenTo(context.dispatch, 'store:change:contacts', this.updateContacts);
  }

  override preinitialize(): void {
    this.model = Contact;
  }

  private updateContacts(change: StoreChange<'contacts'>): void {
    applyStoreChange(this, change.contacts, (id) => this.store.find('contacts', id));
  }
}

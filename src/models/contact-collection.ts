import Backbone from 'backbone';
import type { StoreChange } from '../store/schemas';
import { Contact } from './contact';
import type { ModelContext } from './model-context';
import { applyStoreChange } from './store-backed-collection';

/** The person's contacts, following `store:change:contacts`. */
export class ContactCollection extends Backbone.Collection<Contact> {
  readonly schemaName = 'contacts' as const;
  private readonly context: ModelContext;

  constructor(context: ModelContext) {
    super(context.store.findAll('contacts'));
    this.context = context;
    this.listenTo(context.dispatch, 'store:change:contacts', this.updateContacts);
  }

  override preinitialize(): void {
    this.model = Contact;
  }

  private updateContacts(change: StoreChange<'contacts'>): void {
    applyStoreChange(this, change.contacts, (id) => this.context.store.find('contacts', id));
  }
}

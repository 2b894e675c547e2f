import Backbone from 'backbone';
import type { StoreChange } from '../store/schemas';
import type { Store } from '../store/store';
import { Draft } from './draft';
import type { ModelContext } from './model-context';
import { applyStoreChange } from './store-backed-collection';

/**
 * The person's unsent drafts, one per conversation: fetched from the store
 * declared on it, then following `store:change:drafts`. Its models are saved
 * and destroyed through Backbone.sync, so a draft persists like the contacts
 * (and not at all on a public computer) and goes with a logout's wipe.
 */
export class DraftCollection extends Backbone.Collection<Draft> {
  readonly schemaName = 'drafts' as const;
  readonly store: Store;

  constructor(context: ModelContext) {
    super();
    this.store = context.store;
    void this.fetch({ reset: true });
    this.listenTo(context.dispatch, 'store:change:drafts', this.updateDrafts);
  }

  override preinitialize(): void {
    this.model = Draft;
  }

  /** The conversation's draft: the stored one, else an empty one that is stored when first saved. */
  draftFor(conversationId: string): Draft {
    return this.get(conversationId) ?? this.add({ id: conversationId, body: '', updatedAt: 0 });
  }

  private updateDrafts(change: StoreChange<'drafts'>): void {
    applyStoreChange(this, change.drafts, (id) => this.store.find('drafts', id));
  }
}

import Backbone from 'backbone';
import type { StoreChange } from '../store/schemas';
import type { Store } from '../store/store';
import { Conversation } from './conversation';
import type { ModelContext } from './model-context';
import { applyStoreChange } from './store-backed-collection';

/**
 * The person's conversations, newest activity first: fetched from the store
 * declared on it (its models read their unread counts and last messages
 * there too), then following the store's conversations and outbox.
 */
export class ConversationCollection extends Backbone.Collection<Conversation> {
  readonly schemaName = 'conversations' as const;
  readonly store: Store;
  /** Each conversation's activity during one sort: computed once per model, not once per comparison. */
  private activities: Map<Conversation, number> | null = null;

  constructor(context: ModelContext) {
    super();
    this.store = context.store;
    void this.fetch({ reset: true });
    this.listenTo(context.dispatch, 'store:change:conversations', this.updateConversations);
    this.listenTo(context.dispatch, 'store:change:outbox store:change:messages', this.updateActivity);
  }

  override preinitialize(): void {
    this.model = Conversation;
    this.comparator = (a: Conversation, b: Conversation) => this.activityOf(b) - this.activityOf(a) || String(a.id).localeCompare(String(b.id));
  }

  override sort(options?: Backbone.Silenceable): this {
    this.activities = new Map();
    try {
      return super.sort(options);
    } finally {
      this.activities = null;
    }
  }

  private activityOf(conversation: Conversation): number {
    let activity = this.activities?.get(conversation);
    if (activity === undefined) {
      activity = conversation.activity();
      this.activities?.set(conversation, activity);
    }
    return activity;
  }

  private updateConversations(change: StoreChange<'conversations'>): void {
    applyStoreChange(this, change.conversations, (id) => this.store.find('conversations', id));
  }

  /** A local send, or a message newer than its conversation's updatedAt, moves the conversation up at once. */
  private updateActivity(): void {
    this.sort();
  }
}

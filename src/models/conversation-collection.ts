import Backbone from 'backbone';
import type { StoreChange } from '../store/schemas';
import { Conversation } from './conversation';
import type { ModelContext } from './model-context';
import { applyStoreChange } from './store-backed-collection';

/** The person's conversations, newest activity first; follows the store's conversations and outbox. */
export class ConversationCollection extends Backbone.Collection<Conversation> {
  readonly schemaName = 'conversations' as const;
  readonly context: ModelContext;

  constructor(context: ModelContext) {
    super();
    this.context = context;
    this.reset(context.store.findAll('conversations'));
    this.listenTo(context.dispatch, 'store:change:conversations', this.updateConversations);
    this.listenTo(context.dispatch, 'store:change:outbox', this.updateActivity);
  }

  override preinitialize(): void {
    this.model = Conversation;
    this.comparator = (a: Conversation, b: Conversation) => b.activity() - a.activity() || String(a.id).localeCompare(String(b.id));
  }

  private updateConversations(change: StoreChange<'conversations'>): void {
    applyStoreChange(this, change.conversations, (id) => this.context.store.find('conversations', id));
  }

  /** A local send moves its conversation to the top before the server hears of it. */
  private updateActivity(): void {
    this.sort();
  }
}

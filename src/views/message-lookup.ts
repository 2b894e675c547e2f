import type Backbone from 'backbone';
import type { MessageView } from '../core/client-core-api';
import { messageKey } from './message-rows';
import type { MessageModel } from './view-core';

/**
 * Finds a conversation's message models by server id (a reply's `replyTo`)
 * and by row key (a clicked row). The collection is keyed by neither, so
 * the two maps are built on first use after the collection's membership or
 * ids changed, not at every lookup.
 */
export class MessageLookup {
  private byId: Map<string, MessageModel> | null = null;
  private byKey: Map<string, MessageModel> | null = null;
  private readonly invalidate = () => {
    this.byId = null;
    this.byKey = null;
  };

  constructor(private readonly messages: Backbone.Collection<MessageModel>) {
    messages.on('add remove reset change:id change:clientMessageId', this.invalidate);
  }

  byMessageId(id: string): MessageModel | undefined {
    if (!this.byId) this.byId = new Map(this.messages.models.map((m) => [m.get('id') as string, m]));
    return this.byId.get(id);
  }

  byRowKey(key: string): MessageModel | undefined {
    if (!this.byKey) this.byKey = new Map(this.messages.models.map((m) => [messageKey(m.attributes as MessageView), m]));
    return this.byKey.get(key);
  }

  /** One's own newest message that can still be edited: the Up arrow in an empty composer edits it. */
  lastEditable(selfId: string | undefined): MessageModel | undefined {
    const models = this.messages.models;
    for (let i = models.length - 1; i >= 0; i--) {
      const m = models[i]?.attributes as MessageView;
      if (m.senderId === selfId && isEditable(m)) return models[i];
    }
    return undefined;
  }

  stop(): void {
    this.messages.off(undefined, this.invalidate);
  }
}

/** A message its sender may still change: a message entry, not deleted, not a send that failed. */
export function isEditable(m: Pick<MessageView, 'kind' | 'deletedAt' | 'state'>): boolean {
  return (m.kind ?? 'message') === 'message' && !m.deletedAt && m.state !== 'failed';
}

import type { Conversation } from '../../src/protocol/index';
import type { Storage } from '../storage/storage';
import { conversationsKey, type Hub } from './hub';
import type { ResourceVersions } from './versions';

/**
 * The `conversations` change notifications, coalesced: conversations marked
 * changed during one event-loop turn (the messages of one committed batch,
 * the receipts of one turn) reach each subscribed socket as ONE
 * ResourceChangedNotification listing every changed conversation of that
 * user, with the full entries inline (PROTOCOL.md: items are the changed
 * items). Members who share the same set of changed conversations (every
 * member of one group) share one encoded frame; one version serves them all.
 */
export class ConversationNotifier {
  private dirty = new Set<string>();
  private scheduled = false;

  constructor(
    private readonly storage: Storage,
    private readonly versions: ResourceVersions,
    private readonly hub: Hub,
  ) {}

  /** Marks a conversation changed; its members are notified at the next flush (this turn's end at the latest). */
  changed(conversationId: string): void {
    this.dirty.add(conversationId);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        // Shutdown may have closed the database in between; nobody is left to notify.
        if (this.storage.db.open) this.flush();
      });
    }
  }

  /** Sends what is marked now (also called directly by the commit path and by conversation creation). */
  flush(): void {
    if (this.dirty.size === 0) return;
    const ids = this.dirty;
    this.dirty = new Set();
    const byUser = new Map<string, Conversation[]>();
    for (const id of ids) {
      const conversation = this.storage.conversations.get(id);
      if (!conversation) continue;
      for (const userId of conversation.memberIds) {
        const list = byUser.get(userId);
        if (list) list.push(conversation);
        else byUser.set(userId, [conversation]);
      }
    }
    if (byUser.size === 0) return;
    const groups = new Map<string, { keys: string[]; conversations: Conversation[] }>();
    for (const [userId, conversations] of byUser) {
      const signature = conversations.length === 1 ? conversations[0]!.id : conversations.map((c) => c.id).join(' ');
      const group = groups.get(signature);
      if (group) group.keys.push(conversationsKey(userId));
      else groups.set(signature, { keys: [conversationsKey(userId)], conversations });
    }
    const version = this.versions.bump([...byUser.keys()].map(conversationsKey));
    for (const { keys, conversations } of groups.values()) {
      const items: Record<string, Conversation> = {};
      for (const c of conversations) items[c.id] = c;
      this.hub.notifyChanged(keys, { resource: 'conversations', version, ids: conversations.map((c) => c.id), items });
    }
  }
}

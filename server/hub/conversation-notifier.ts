import type { Conversation } from '../../src/protocol/index';
import type { Storage } from '../storage/storage';
import { chunksWithin, entryBytesBound } from './byte-chunks';
import { conversationsKey, type Hub } from './hub';
import { Outbox } from './outbox';
import type { ResourceVersions } from './versions';

/**
 * The `conversations` change notifications, coalesced: the conversations
 * one pass changed (the messages and receipts of one committed batch)
 * reach each subscribed socket as ONE
 * ResourceChangedNotification listing every changed conversation of that
 * user, with the full entries inline (docs/PROTOCOL.md: items are the changed
 * items). Members who share the same set of changed conversations (every
 * member of one group) share one encoded frame; one version serves them all.
 * A set too large for one frame (MAX_REPLY_BYTES) goes out as several.
 *
 * Large groups (at least `largeGroupMembers`) are notified at most once per
 * `largeGroupIntervalMs`: a change within the interval after the last
 * notification is sent when the interval ends, with the entry as it is then.
 * Their entry is O(members) bytes and goes to every member, so without this
 * a busy group of 500 costs ~20 MB per message (and every receipt as much
 * again). Members still get each message at once by its `messages:`
 * notification; only the list entry (latestSeq, updatedAt, receipts) lags,
 * by at most the interval.
 */
export class ConversationNotifier {
  /** Large groups: when each was last notified, and the timers of those waiting for their interval to end. */
  private readonly lastSent = new Map<string, number>();
  private readonly deferred = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly storage: Storage,
    private readonly versions: ResourceVersions,
    private readonly hub: Hub,
    private readonly largeGroup: { members: number; intervalMs: number } = { members: 0, intervalMs: 0 },
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Sends the members of these conversations their entries now, one frame
   * per socket (the send path, with its outbox: each socket's frame joins
   * its other frames of that pass; conversation creation).
   */
  notify(changed: Iterable<string>, out?: Outbox): void {
    // A coalesced notice may come due after shutdown closed the database: nobody is left to notify.
    if (!this.storage.db.open) return;
    const byUser = new Map<string, string[]>();
    const now = this.now();
    for (const id of new Set(changed)) {
      if (this.deferred.has(id)) continue; // its timer sends the entry as it is then
      if (this.isLarge(id)) {
        const last = this.lastSent.get(id);
        if (last !== undefined && now - last < this.largeGroup.intervalMs) {
          this.defer(id, last + this.largeGroup.intervalMs - now);
          continue;
        }
        this.lastSent.set(id, now);
      }
      const conversation = this.storage.conversations.get(id);
      if (!conversation) continue;
      for (const userId of conversation.memberIds) {
        const list = byUser.get(userId);
        if (list) list.push(id);
        else byUser.set(userId, [id]);
      }
    }
    this.sendEntries(byUser, out);
  }

  /**
   * Sends each user their own entries of the given conversations (entries
   * differ per caller: their positions and the summaries of the others').
   * Users whose entries are alike (same conversations, same caller fields)
   * share one encoded frame and one version.
   */
  private sendEntries(byUser: ReadonlyMap<string, readonly string[]>, out?: Outbox): void {
    if (byUser.size === 0) return;
    const repo = this.storage.conversations;
    const groups = new Map<string, { keys: string[]; userId: string; ids: readonly string[] }>();
    for (const [userId, ids] of byUser) {
      let signature = '';
      for (const id of ids) {
        const f = repo.callerFields(id, userId);
        if (f) signature += `${id} ${f.myDeliveredSeq} ${f.myReadSeq} ${f.deliveredToAllSeq} ${f.readByAllSeq};`;
      }
      const group = groups.get(signature);
      if (group) group.keys.push(conversationsKey(userId));
      else groups.set(signature, { keys: [conversationsKey(userId)], userId, ids });
    }
    const version = this.versions.bump([...byUser.keys()].map(conversationsKey));
    for (const { keys, userId, ids } of groups.values()) {
      const conversations = ids.map((id) => repo.entryFor(id, userId)).filter((c): c is Conversation => c !== undefined);
      // Many large groups changed at once would pass the largest frame: several notifications then.
      for (const chunk of chunksWithin(conversations, entryBytesBound)) {
        const items: Record<string, Conversation> = {};
        for (const c of chunk) items[c.id] = c;
        this.hub.notifyChanged(keys, { resource: 'conversations', version, ids: chunk.map((c) => c.id), items }, null, out);
      }
    }
  }

  /** Stops the timers of deferred large-group notifications (shutdown). */
  stop(): void {
    for (const timer of this.deferred.values()) clearTimeout(timer);
    this.deferred.clear();
  }

  private isLarge(conversationId: string): boolean {
    const { members, intervalMs } = this.largeGroup;
    return members > 0 && intervalMs > 0 && this.storage.conversations.memberCount(conversationId) >= members;
  }

  private defer(conversationId: string, ms: number): void {
    const timer = setTimeout(() => {
      this.deferred.delete(conversationId);
      if (!this.storage.db.open) return;
      const out = new Outbox();
      try {
        this.notify([conversationId], out);
      } finally {
        out.send();
      }
    }, ms);
    timer.unref();
    this.deferred.set(conversationId, timer);
  }
}

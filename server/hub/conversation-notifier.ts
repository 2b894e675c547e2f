import type { Conversation, ConversationPatch } from '../../src/protocol/index';
import type { Storage } from '../storage/storage';
import { chunksWithin, entryBytesBound } from './byte-chunks';
import { ConversationPatches } from './conversation-patches';
import { conversationsKey, type Hub } from './hub';
import { Outbox } from './outbox';
import type { ResourceVersions } from './versions';

/**
 * The `conversations` change notifications (docs/PROTOCOL.md section 7a and
 * "Notifications in detail"). Entries differ per caller (their positions,
 * the lowest of the others'), and a full entry is O(members) bytes, so:
 *
 * - `notify` sends full entries, built per user: creation, and changes of
 *   members, owner or title (rare, and what a client cannot patch). Users
 *   whose entries are alike share one encoded frame.
 * - `latestMoved` (a message) sends every member one shared patch
 *   `{id, latestSeq, updatedAt}`: O(1) bytes each, one encoding.
 * - Receipts send patches of their own (receipt-notifier.ts) through the
 *   same pass, so a socket gets one `conversations` frame per pass.
 *
 * Large groups (at least `largeGroupMembers`) are notified at most once per
 * `largeGroupIntervalMs`: a change within the interval after the last
 * notification is sent when the interval ends, as it is then (a full entry
 * if one was asked for, else the latestSeq patch). Members still get each
 * message at once by its `messages:` notification; only the list entry
 * lags, by at most the interval.
 */
export class ConversationNotifier {
  /** Large groups: when each was last notified, and those waiting for their interval to end (true: a full entry is owed). */
  private readonly lastSent = new Map<string, number>();
  private readonly deferred = new Map<string, { timer: NodeJS.Timeout; full: boolean }>();

  constructor(
    private readonly storage: Storage,
    private readonly versions: ResourceVersions,
    private readonly hub: Hub,
    private readonly largeGroup: { members: number; intervalMs: number } = { members: 0, intervalMs: 0 },
    private readonly now: () => number = Date.now,
  ) {}

  /** A new pass of patches, sent with `send(out)` once everything of the pass is in. */
  patches(): ConversationPatches {
    return new ConversationPatches(this.hub, this.versions);
  }

  /**
   * Sends the members of these conversations their full entries (creation;
   * members, owner or title changed), one frame per socket where it can.
   */
  notify(changed: Iterable<string>, out?: Outbox): void {
    // A deferred notice may come due after shutdown closed the database: nobody is left to notify.
    if (!this.storage.db.open) return;
    const byUser = new Map<string, string[]>();
    for (const id of new Set(changed)) {
      if (!this.admit(id, true)) continue;
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
   * Sends these users their entry of one conversation now, members or not:
   * a removed member gets the entry without themself once this way
   * (docs/PROTOCOL.md section 8).
   */
  notifyUsers(conversationId: string, userIds: Iterable<string>, out?: Outbox): void {
    if (!this.storage.db.open) return;
    const byUser = new Map<string, string[]>();
    for (const userId of userIds) byUser.set(userId, [conversationId]);
    this.sendEntries(byUser, out);
  }

  /** Messages were committed in these conversations: every member's `{id, latestSeq, updatedAt}` joins the pass. */
  latestMoved(changed: Iterable<string>, pass: ConversationPatches): void {
    for (const id of changed) {
      if (this.admit(id, false)) this.addLatest(id, pass);
    }
  }

  /** Stops the timers of deferred large-group notifications (shutdown). */
  stop(): void {
    for (const { timer } of this.deferred.values()) clearTimeout(timer);
    this.deferred.clear();
  }

  private addLatest(id: string, pass: ConversationPatches): void {
    const state = this.storage.conversations.get(id);
    if (!state) return;
    const patch: ConversationPatch = { id, latestSeq: state.latestSeq, updatedAt: state.updatedAt };
    pass.add(state.memberIds, patch);
  }

  /**
   * True: notify this conversation now. False: it is a large group notified
   * within the interval; its timer sends it at the interval's end (a full
   * entry when `full` was asked for now or by an earlier call).
   */
  private admit(id: string, full: boolean): boolean {
    const waiting = this.deferred.get(id);
    if (waiting) {
      waiting.full ||= full;
      return false;
    }
    const { members, intervalMs } = this.largeGroup;
    if (members <= 0 || intervalMs <= 0 || this.storage.conversations.memberCount(id) < members) return true;
    const now = this.now();
    const last = this.lastSent.get(id);
    if (last !== undefined && now - last < intervalMs) {
      this.defer(id, last + intervalMs - now, full);
      return false;
    }
    this.lastSent.set(id, now);
    return true;
  }

  private defer(id: string, ms: number, full: boolean): void {
    const timer = setTimeout(() => {
      const owed = this.deferred.get(id);
      this.deferred.delete(id);
      if (!owed || !this.storage.db.open) return;
      const out = new Outbox();
      try {
        if (owed.full) this.notify([id], out);
        else {
          const pass = this.patches();
          this.latestMoved([id], pass);
          pass.send(out);
        }
      } finally {
        out.send();
      }
    }, ms);
    timer.unref();
    this.deferred.set(id, { timer, full });
  }

  /**
   * Sends each user their own entries of the given conversations. Users
   * whose entries are alike (same conversations, same caller fields) share
   * one encoded frame and one version.
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
}

import type { Entry } from '../../src/protocol/index';
import type { ConversationNotifier } from '../hub/conversation-notifier';
import { messagesKey, receiptsKey, type Hub } from '../hub/hub';
import type { Outbox } from '../hub/outbox';
import type { CommittedBatch } from '../storage/message-writer';
import type { ConversationState, ConversationsRepo } from '../storage/conversations-repo';

/**
 * A conversation whose members or title a committed batch changed: its
 * cached entry as it was before the batch (who could see what until then),
 * and the members the batch removed, each with the seq of the entry that
 * removed them (the last one they are served).
 */
export interface MembershipChange {
  before: ConversationState | undefined;
  removedAt: Map<string, number>;
}

/** The conversations whose `members` or `title` entries the batch appended, read from the cache BEFORE it moves. */
export function membershipChanges(batch: CommittedBatch, conversations: ConversationsRepo): Map<string, MembershipChange> {
  const changes = new Map<string, MembershipChange>();
  for (const r of batch.entries) {
    const entry = r.entry;
    if (!entry || r.duplicate || (entry.kind !== 'members' && entry.kind !== 'title')) continue;
    let change = changes.get(entry.conversationId);
    if (!change) {
      change = { before: conversations.get(entry.conversationId), removedAt: new Map() };
      changes.set(entry.conversationId, change);
    }
    if (entry.kind === 'members') for (const userId of entry.removed) change.removedAt.set(userId, entry.seq);
  }
  return changes;
}

/**
 * Which of a conversation's entries a member may be served: none before the
 * seq they joined at, no edit, deletion or reaction of a message before it
 * (its `target` would show the message), and for a member this batch
 * removed nothing after the entry that removed them.
 */
export function seesEntry(conversation: ConversationState | undefined, userId: string, removedAt: number | undefined, entry: Entry): boolean {
  const member = conversation?.members[userId];
  if (!member) return false;
  const floor = member.joinedSeq;
  if (entry.seq < floor || (removedAt !== undefined && entry.seq > removedAt)) return false;
  return !('target' in entry) || entry.target.seq >= floor;
}

/**
 * Tells each member the batch removed, once: their sockets' subscriptions to
 * the conversation's entries end (they were served the `members` entry that
 * removed them just before, if subscribed), and their `conversations`
 * subscribers get the conversation's entry as it is now, without them in
 * `memberIds`. From then on every command of theirs on it is FORBIDDEN
 * (the cache no longer holds them). A member removed and added again in the
 * same batch is a member: nothing to tell.
 */
export function tellRemoved(
  changes: ReadonlyMap<string, MembershipChange>,
  parts: { conversations: ConversationsRepo; hub: Hub; conversationNotifier: ConversationNotifier },
  out: Outbox,
): void {
  const { conversations, hub, conversationNotifier } = parts;
  for (const [conversationId, change] of changes) {
    if (change.removedAt.size === 0) continue;
    const now = conversations.get(conversationId);
    if (!now) continue;
    const told: string[] = [];
    for (const userId of change.removedAt.keys()) {
      if (Object.hasOwn(now.members, userId)) continue;
      for (const key of [messagesKey(conversationId), receiptsKey(conversationId)]) {
        for (const peer of [...hub.subscribersOf(key)]) if (peer.userId === userId) hub.unsubscribe(peer, key);
      }
      told.push(userId);
    }
    if (told.length > 0) conversationNotifier.notifyUsers(conversationId, told, out);
  }
}

import type { Entry } from '../../src/protocol/index';
import type { ConversationNotifier } from '../hub/conversation-notifier';
import type { ReceiptNotifier } from '../hub/receipt-notifier';
import { messagesKey, type Hub } from '../hub/hub';
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
  /** Everyone the batch added or removed. */
  membersChanged: Set<string>;
}

/** The conversations whose `members` or `title` entries the batch appended, read from the cache BEFORE it moves. */
export function membershipChanges(batch: CommittedBatch, conversations: ConversationsRepo): Map<string, MembershipChange> {
  const changes = new Map<string, MembershipChange>();
  for (const r of batch.entries) {
    const entry = r.entry;
    if (!entry || r.duplicate || (entry.kind !== 'members' && entry.kind !== 'title')) continue;
    let change = changes.get(entry.conversationId);
    if (!change) {
      change = { before: conversations.get(entry.conversationId), removedAt: new Map(), membersChanged: new Set() };
      changes.set(entry.conversationId, change);
    }
    if (entry.kind !== 'members') continue;
    for (const userId of entry.removed) change.removedAt.set(userId, entry.seq);
    for (const userId of [...entry.added, ...entry.removed]) change.membersChanged.add(userId);
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
 * the conversation's entries and receipts end (they were served the `members` entry that
 * removed them just before, if subscribed), and their `conversations`
 * subscribers get the conversation's entry as it is now, without them in
 * `memberIds`. From then on every command of theirs on it is FORBIDDEN
 * (the cache no longer holds them). A member removed and added again in the
 * same batch is a member: nothing to tell. Every member the batch added or
 * removed is reported to the `receipts:<id>` resource
 * (`ReceiptNotifier.membersChanged`).
 */
export function tellRemoved(
  changes: ReadonlyMap<string, MembershipChange>,
  parts: { conversations: ConversationsRepo; hub: Hub; conversationNotifier: ConversationNotifier; receiptNotifier: ReceiptNotifier },
  out: Outbox,
): void {
  const { conversations, hub, conversationNotifier, receiptNotifier } = parts;
  for (const [conversationId, change] of changes) {
    if (change.membersChanged.size === 0) continue;
    const now = conversations.get(conversationId);
    if (!now) continue;
    const told: string[] = [];
    for (const userId of change.removedAt.keys()) {
      if (Object.hasOwn(now.members, userId)) continue;
      hub.unsubscribeUser(messagesKey(conversationId), userId);
      told.push(userId);
    }
    if (told.length > 0) conversationNotifier.notifyUsers(conversationId, told, out);
    // Their `receipts:<id>` subscriptions end there, and its subscribers learn who left and who came.
    receiptNotifier.membersChanged(conversationId, change.membersChanged, out);
  }
}

import { encodeMessagesChanged, messagesResource, type Entry } from '../../src/protocol/index';
import { chunksWithin, messageBytes } from '../hub/byte-chunks';
import { messagesKey, type Hub } from '../hub/hub';
import type { Outbox } from '../hub/outbox';
import type { Peer } from '../hub/peer';
import type { ConversationState, ConversationsRepo } from '../storage/conversations-repo';
import { seesEntry, type MembershipChange } from './removed-members';

/** An entry a batch appended, and the socket whose command appended it. */
export interface Appended {
  entry: Entry;
  peer: Peer;
}

/**
 * The `messages:<id>` notifications of a committed batch: per conversation,
 * its new entries inline in seq order, in runs that fit MAX_REPLY_BYTES
 * (`chunksWithin`), each run's version its last seq (the last run's the
 * conversation's latestSeq). A run goes to every subscriber but the socket
 * that sent all of it (its answers carried it). Returns the conversations
 * notified about.
 *
 * Almost always a run is encoded once for all its subscribers. It is not
 * when someone subscribed may not see all of it (docs/PROTOCOL.md section
 * 8): when the batch changed the conversation's members (a member removed
 * by it is served up to the entry that removed them), or when an edit,
 * deletion or reaction of it targets a message older than some member's
 * joinedSeq. Then each subscriber gets the entries they may see, one
 * encoding per distinct set.
 */
export function notifyEntries(
  appended: readonly Appended[],
  latestSeq: ReadonlyMap<string, number>,
  changes: ReadonlyMap<string, MembershipChange>,
  conversations: ConversationsRepo,
  hub: Hub,
  out: Outbox,
): Set<string> {
  const byConversation = new Map<string, Appended[]>();
  for (const a of appended) {
    const list = byConversation.get(a.entry.conversationId);
    if (list) list.push(a);
    else byConversation.set(a.entry.conversationId, [a]);
  }
  for (const [conversationId, list] of byConversation) {
    // The batch appends in seq order per conversation; sort anyway, the notification promises it.
    list.sort((a, b) => a.entry.seq - b.entry.seq);
    const chunks = chunksWithin(list, (a) => messageBytes(a.entry));
    const change = changes.get(conversationId);
    const who = change ? change.before : conversations.get(conversationId);
    chunks.forEach((chunk, i) => {
      const entries = chunk.map((a) => a.entry);
      const last = entries[entries.length - 1]!.seq;
      const version = i === chunks.length - 1 ? (latestSeq.get(conversationId) ?? last) : last;
      const key = messagesKey(conversationId);
      const resource = messagesResource(conversationId);
      const sole = soleSender(chunk);
      if (!change && !olderTargetThanAFloor(entries, who)) {
        hub.notifyEncoded([key], () => encodeMessagesChanged(resource, version, entries), sole, out);
        return;
      }
      const sets = new Map<string, { entries: Entry[]; peers: Peer[] }>();
      for (const peer of hub.subscribersOf(key)) {
        if (peer === sole || peer.userId === null) continue;
        const removedAt = change?.removedAt.get(peer.userId);
        const seen = entries.filter((e) => seesEntry(who, peer.userId!, removedAt, e));
        if (seen.length === 0) continue;
        const signature = seen.length === entries.length ? '*' : seen.map((e) => e.seq).join(',');
        const set = sets.get(signature);
        if (set) set.peers.push(peer);
        else sets.set(signature, { entries: seen, peers: [peer] });
      }
      for (const { entries: seen, peers } of sets.values()) {
        const text = encodeMessagesChanged(resource, version, seen);
        for (const peer of peers) out.write(peer, text);
      }
    });
  }
  return new Set(byConversation.keys());
}

/** Whether an edit, deletion or reaction here targets a message older than some member's joinedSeq. */
function olderTargetThanAFloor(entries: readonly Entry[], conversation: ConversationState | undefined): boolean {
  let oldest = Infinity;
  for (const e of entries) if ('target' in e) oldest = Math.min(oldest, e.target.seq);
  if (oldest === Infinity || !conversation) return false;
  for (const id of conversation.memberIds) if ((conversation.members[id]?.joinedSeq ?? 1) > oldest) return true;
  return false;
}

/** The socket that sent every entry of a run, or null when several did. */
function soleSender(run: readonly Appended[]): Peer | null {
  const peer = run[0]!.peer;
  return run.every((a) => a.peer === peer) ? peer : null;
}

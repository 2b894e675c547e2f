import type { Conversation } from '../protocol';
import type { StoredEntry } from './records';

/**
 * What members and title entries tell of their conversation, applied to the
 * stored record when they are at least as new as it (their seq at or past
 * its `latestSeq`): a rename or a change of members shows in the list at
 * once, before the conversations notification. An older entry (paging
 * back) changes nothing: the record already says what came after it.
 * Returns the changed record, or null when nothing changed.
 */
export function conversationAfter(conversation: Conversation, entries: readonly StoredEntry[]): Conversation | null {
  let next = conversation;
  const lines = entries.filter((e) => e.conversationId === conversation.id && (e.kind === 'members' || e.kind === 'title')).sort((a, b) => a.seq - b.seq);
  for (const entry of lines) {
    if (entry.seq < next.latestSeq) continue;
    if (entry.kind === 'title') {
      if (entry.title !== next.title) next = { ...next, title: entry.title };
    } else if (entry.kind === 'members') {
      const added = entry.added.filter((id) => !next.memberIds.includes(id));
      const memberIds = [...next.memberIds.filter((id) => !entry.removed.includes(id)), ...added];
      const members = { ...next.members };
      for (const id of entry.removed) delete members[id];
      for (const id of added) members[id] = { joinedSeq: entry.seq };
      next = { ...next, memberIds, members };
    }
  }
  return next === conversation ? null : next;
}

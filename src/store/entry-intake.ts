import type { Entry, Message } from '../protocol';
import { consistentMessages } from './consistent-messages';
import type { MessageIndex } from './message-index';
import { isNewerRevision, replaces, type NewerRevisions } from './newer-revisions';
import type { ChangeMark, StoredEntry } from './records';

/** What a batch of entries does to the store: the records to write, the targets it does not hold, what it refused. */
export interface Intake {
  accepted: StoredEntry[];
  refused: StoredEntry[];
  /** New or newer records, by id. */
  changes: Record<string, StoredEntry>;
  /** Targets of messages not held in memory (remember them; patch them on disk). */
  unheld: Message[];
}

/**
 * Turns arriving entries into store records (docs/CLIENT.md, "Entries and
 * revisions"): a change becomes a mark without its `target`, and the target
 * replaces the held message when its revision is higher; of two copies of
 * a message the higher revision is kept, also against a newer revision
 * remembered from a change that came first. Entries that contradict what is
 * stored (consistent-messages.ts) are refused.
 */
export function intake(incoming: readonly (Entry | StoredEntry)[], stored: ReadonlyMap<string, StoredEntry>, index: MessageIndex, newer: NewerRevisions): Intake {
  const records: StoredEntry[] = [];
  const targets: Message[] = [];
  for (const entry of incoming) {
    if ('target' in entry) {
      const { target, ...mark } = entry;
      records.push(mark as ChangeMark);
      targets.push(target);
    } else records.push(entry);
  }
  const { accepted, refused } = consistentMessages(records, stored, index);
  const changes: Record<string, StoredEntry> = {};
  for (const arrived of accepted) {
    const entry = newer.take(arrived);
    const held = stored.get(entry.id);
    if (held === undefined || isNewerRevision(entry, held)) changes[entry.id] = entry;
  }
  // Targets after the entries: a page may carry a message and a change of it.
  const refusedIds = new Set(refused.map((e) => e.id));
  const unheld: Message[] = [];
  for (const target of targets) {
    if (refusedIds.has(target.id)) continue;
    const held = changes[target.id] ?? stored.get(target.id);
    if (!held) unheld.push(target);
    else if (replaces(target, held)) changes[target.id] = target;
  }
  return { accepted, refused, changes, unheld };
}

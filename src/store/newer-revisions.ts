import type { Message } from '../protocol';
import type { StoredEntry } from './records';

/** Newer revisions remembered for messages the device does not hold in memory. */
const LIMIT = 2000;

/** Whether `a` is a newer copy of the message `b` (a higher revision); other kinds of entry never change. */
export function isNewerRevision(a: StoredEntry, b: StoredEntry): boolean {
  return a.kind === 'message' && b.kind === 'message' && a.revision > b.revision;
}

/** Whether `target` may replace `stored`: the same message in the same place, at a higher revision. */
export function replaces(target: Message, stored: StoredEntry): boolean {
  return stored.conversationId === target.conversationId && stored.seq === target.seq && isNewerRevision(target, stored);
}

/**
 * Messages as an edit, deletion or reaction left them, for messages the
 * store did not hold in memory when the change came: the message arriving
 * later (a page, a late notification) or its chunk read from disk takes
 * the newer revision instead of its own. Bounded, oldest forgotten first:
 * a page brings a message as it is now anyway.
 */
export class NewerRevisions {
  private readonly byId = new Map<string, Message>();

  /** Remembers the target; false when an equal or newer revision was known already. */
  remember(target: Message): boolean {
    const known = this.byId.get(target.id);
    if (known && known.revision >= target.revision) return false;
    this.byId.delete(target.id);
    this.byId.set(target.id, target);
    if (this.byId.size > LIMIT) this.byId.delete(this.byId.keys().next().value!);
    return true;
  }

  /** The entry as it should be stored now that it arrives: the remembered newer revision, if any (then forgotten). */
  take(entry: StoredEntry): StoredEntry {
    const newer = this.byId.get(entry.id);
    if (!newer) return entry;
    this.byId.delete(entry.id);
    return replaces(newer, entry) ? newer : entry;
  }

  clear(): void {
    this.byId.clear();
  }
}

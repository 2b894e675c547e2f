import { MAX_REPLY_BYTES, REPLY_ENVELOPE_BYTES, messageJson, type Conversation, type Entry } from '../../src/protocol/index';

/**
 * Notifications are held to the bound of replies (MAX_REPLY_BYTES): what
 * changed at once (the messages of one commit for one conversation, the
 * conversations of one user changed in one turn) may be more, and then goes
 * out as several notifications of consecutive runs of it.
 */
export const NOTIFICATION_ITEMS_BYTES = MAX_REPLY_BYTES - REPLY_ENVELOPE_BYTES;

/** Items in order, in runs whose sizes add up to at most `budget` bytes; every run holds at least one item. */
export function chunksWithin<T>(items: readonly T[], sizeOf: (item: T) => number, budget = NOTIFICATION_ITEMS_BYTES): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && bytes + size > budget) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** An entry's bytes in a notification: its JSON (made once, shared with the answer) and its id twice. */
export function messageBytes(m: Entry): number {
  return Buffer.byteLength(messageJson(m)) + 2 * Buffer.byteLength(m.id) + 8;
}

/**
 * An upper bound of an entry's JSON without making it: every character of
 * a member id at its most escaped (6 bytes), twice (in `memberIds` and as a
 * key of `members`), with its `{"joinedSeq":N}`; 2 KiB for the rest (a
 * title of 100 escaped characters, ids, the caller's positions and the
 * summaries, keys). Loose for the server's ASCII ids (a group of 500: 166
 * KB against 35 KB), which only means a flood of large groups changed at
 * once comes in a few more frames.
 */
export function entryBytesBound(c: Pick<Conversation, 'memberIds'>): number {
  let bytes = 2048;
  for (const id of c.memberIds) bytes += 12 * id.length + 40;
  return bytes;
}

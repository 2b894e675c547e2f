import { randomFillSync } from 'node:crypto';

const ID_BYTES = 16;
/** Random bytes drawn from the OS 256 ids at a time: one randomFillSync per 256 messages instead of one per message. */
const POOL_IDS = 256;
const pool = Buffer.alloc(ID_BYTES * POOL_IDS);
let next = POOL_IDS;

/**
 * Server-made ids: a one-letter kind prefix and 16 random bytes in
 * base64url (24 chars), so they cannot be guessed or enumerated. The bytes
 * come from a pool refilled from the CSPRNG (as Node's own randomUUID
 * does); each slice of it is used once.
 */
export function newId(prefix: 'u' | 'c' | 'm'): string {
  if (next === POOL_IDS) {
    randomFillSync(pool);
    next = 0;
  }
  const start = next++ * ID_BYTES;
  return `${prefix}_${pool.toString('base64url', start, start + ID_BYTES)}`;
}

/**
 * The id of an entry (a message or any other change of a conversation):
 * the prefix `m_`, the time in ms as 11 hex digits, then 16 random bytes as
 * `newId` makes them (35 characters). Entries are looked up by id (targets,
 * replies, `ids`) through an index of the messages table; ids that grow
 * with time are appended at its right edge, where random ones dirtied a
 * page of it per insert: 82 against 62 µs of writer CPU per message
 * (bench/writer-cost.ts). The time is when the batch was handed to the
 * writer, about the entry's `sentAt`, which whoever may see the id sees
 * anyway; the random part keeps it unguessable.
 */
export function newEntryId(now = Date.now()): string {
  return `m_${now.toString(16).padStart(11, '0')}${newId('m').slice(2)}`;
}

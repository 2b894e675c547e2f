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
export function newId(prefix: 'u' | 'c' | 'm' | 's'): string {
  if (next === POOL_IDS) {
    randomFillSync(pool);
    next = 0;
  }
  const start = next++ * ID_BYTES;
  return `${prefix}_${pool.toString('base64url', start, start + ID_BYTES)}`;
}

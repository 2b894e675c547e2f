import { randomBytes } from 'node:crypto';

/**
 * Server-made ids: a one-letter kind prefix and 16 random bytes in
 * base64url (24 chars), so they cannot be guessed or enumerated.
 */
export function newId(prefix: 'u' | 'c' | 'm'): string {
  return `${prefix}_${randomBytes(16).toString('base64url')}`;
}

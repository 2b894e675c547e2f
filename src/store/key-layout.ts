import type { SchemaName } from './schemas';

/**
 * Where each schema lives and under which keys. Keys are namespaced and
 * scoped per account: `tidings:<userId>:contacts`. Messages are stored in
 * chunks of CHUNK_SIZE consecutive seqs per conversation, so a new message
 * rewrites one small chunk and a cold start reads a few dozen values.
 */
export const ROOT = 'tidings:';
export const SESSION_KEY = `${ROOT}session`;
export const CHUNK_SIZE = 256;

/** Schemas kept whole in one localStorage value per account. */
export const LOCAL_SCHEMAS = ['contacts', 'conversations', 'drafts', 'preferences'] as const satisfies readonly SchemaName[];

export function accountPrefix(userId: string): string {
  return `${ROOT}${userId}:`;
}

export function schemaKey(userId: string, schema: SchemaName): string {
  return `${accountPrefix(userId)}${schema}`;
}

export function outboxKey(userId: string, clientMessageId: string): string {
  return `${accountPrefix(userId)}outbox:${clientMessageId}`;
}

/** The newest stored message of every conversation, so the conversation list needs no history chunk. */
export function headsKey(userId: string): string {
  return `${accountPrefix(userId)}heads`;
}

export function chunkPrefix(userId: string): string {
  return `${accountPrefix(userId)}messages:`;
}

export function chunkOf(seq: number): number {
  return Math.floor((seq - 1) / CHUNK_SIZE);
}

export function chunkKey(userId: string, conversationId: string, chunk: number): string {
  return `${accountPrefix(userId)}messages:${conversationId}:${chunk}`;
}

/** Splits a chunk key back into conversation and chunk number, or null for another kind of key. */
export function parseChunkKey(userId: string, key: string): { conversationId: string; chunk: number } | null {
  const head = chunkPrefix(userId);
  if (!key.startsWith(head)) return null;
  const rest = key.slice(head.length);
  const colon = rest.lastIndexOf(':');
  if (colon < 0) return null;
  const chunk = Number(rest.slice(colon + 1));
  return Number.isInteger(chunk) ? { conversationId: rest.slice(0, colon), chunk } : null;
}

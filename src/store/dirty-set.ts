import type { SchemaName } from './schemas';
import { emptyBatch, type WriteBatch } from './key-value-backend';
import type { Message } from '../protocol';
import { LOCAL_SCHEMAS, SESSION_KEY, chunkKey, chunkOf, headsKey, outboxKey, schemaKey } from './key-layout';
import type { MessageIndex } from './message-index';
import type { SchemaRecords } from './records';

type Tables = { [S in SchemaName]: Map<string, SchemaRecords[S]> };
type LocalSchema = (typeof LOCAL_SCHEMAS)[number];

interface DirtyChunk {
  conversationId: string;
  chunk: number;
  /** A message left the chunk: write it whole instead of merging into what is stored. */
  replace: boolean;
}

/**
 * What changed since the last write, turned into one batch per backend. The
 * batches are built from the cache at write time, so many changes to one
 * chunk or one schema become one write.
 */
export class DirtySet {
  private session = false;
  private meta = false;
  private readonly local = new Set<LocalSchema>();
  private readonly outbox = new Set<string>();
  private readonly chunks = new Map<string, DirtyChunk>();
  private readonly heads = new Set<string>();
  /** A head was dropped: write them all instead of merging (a merge cannot delete). */
  private headsReplaced = false;

  mark(schema: SchemaName, id: string, item: unknown): void {
    this.touch(schema, id, item, false);
  }

  markRemoved(schema: SchemaName, id: string, old: unknown): void {
    this.touch(schema, id, old, true);
  }

  /** A conversation's newest message changed: merged into the heads record, so other tabs' heads survive. */
  markHead(conversationId: string): void {
    this.heads.add(conversationId);
  }

  markHeadsReplaced(): void {
    this.headsReplaced = true;
  }

  markEverything(tables: Tables, index: MessageIndex): void {
    this.session = tables.session.size > 0;
    this.meta = true;
    this.headsReplaced = true;
    for (const schema of LOCAL_SCHEMAS) this.local.add(schema);
    for (const id of tables.outbox.keys()) this.outbox.add(id);
    for (const conversationId of index.conversations()) {
      for (const chunk of index.chunks(conversationId)) this.addChunk(conversationId, chunk, false);
    }
  }

  isEmpty(): boolean {
    return !this.session && !this.meta && !this.headsReplaced && this.heads.size === 0 && this.local.size === 0 && this.outbox.size === 0 && this.chunks.size === 0;
  }

  localBatch(userId: string, tables: Tables): WriteBatch {
    const batch = emptyBatch();
    if (this.session) {
      const session = tables.session.get('current');
      if (session) batch.set.push([SESSION_KEY, session]);
      else batch.del.push(SESSION_KEY);
    }
    for (const schema of this.local) batch.set.push([schemaKey(userId, schema), Object.fromEntries(tables[schema])]);
    return batch;
  }

  indexedBatch(userId: string, tables: Tables, index: MessageIndex, heads: ReadonlyMap<string, Message>): WriteBatch {
    const batch = emptyBatch();
    if (this.meta) batch.set.push([schemaKey(userId, 'meta'), Object.fromEntries(tables.meta)]);
    if (this.headsReplaced) batch.set.push([headsKey(userId), Object.fromEntries(heads)]);
    else if (this.heads.size) {
      const changed = [...this.heads].flatMap((id): [string, Message][] => (heads.has(id) ? [[id, heads.get(id)!]] : []));
      if (changed.length) batch.merge.push([headsKey(userId), Object.fromEntries(changed)]);
    }
    for (const id of this.outbox) {
      const entry = tables.outbox.get(id);
      if (entry) batch.set.push([outboxKey(userId, id), entry]);
      else batch.del.push(outboxKey(userId, id));
    }
    for (const { conversationId, chunk, replace } of this.chunks.values()) {
      const key = chunkKey(userId, conversationId, chunk);
      const ids = index.chunkIds(conversationId, chunk);
      if (ids.length === 0) {
        batch.del.push(key);
        continue;
      }
      const value = Object.fromEntries(ids.map((id) => [id, tables.messages.get(id)]));
      if (replace) batch.set.push([key, value]);
      else batch.merge.push([key, value]);
    }
    return batch;
  }

  private touch(schema: SchemaName, id: string, item: unknown, removed: boolean): void {
    switch (schema) {
      case 'session':
        this.session = true;
        break;
      case 'meta':
        this.meta = true;
        break;
      case 'contacts':
      case 'conversations':
      case 'drafts':
      case 'preferences':
        this.local.add(schema);
        break;
      case 'outbox':
        this.outbox.add(id);
        break;
      case 'messages': {
        const message = item as SchemaRecords['messages'];
        this.addChunk(message.conversationId, chunkOf(message.seq), removed);
        break;
      }
    }
  }

  private addChunk(conversationId: string, chunk: number, replace: boolean): void {
    const key = `${conversationId}\u0000${chunk}`;
    const old = this.chunks.get(key);
    this.chunks.set(key, { conversationId, chunk, replace: replace || (old?.replace ?? false) });
  }
}

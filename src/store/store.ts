import type Backbone from 'backbone';
import { SCHEMAS, type SchemaName } from '../dispatch/bus-events';
import type { Dispatch } from '../dispatch/dispatch';
import type { Message, User } from '../protocol';
import { consistentMessages } from './consistent-messages';
import { DirtySet } from './dirty-set';
import { evictOldestHistory } from './eviction';
import { isQuotaError, type KeyValueBackend } from './key-value-backend';
import { LOCAL_SCHEMAS, SESSION_KEY, accountPrefix, chunkOf, outboxKey, parseChunkKey, schemaKey } from './key-layout';
import { MessageIndex } from './message-index';
import type { SchemaRecords, SessionRecord, SyncPosition } from './records';
import { storeSync, type SyncMethod } from './store-sync';

export interface StoreBackends {
  /** Small records: session, contacts, conversations. */
  local: KeyValueBackend;
  /** History, outbox and sync positions. */
  indexed: KeyValueBackend;
}

export interface StoreOptions {
  dispatch: Dispatch;
  /** null keeps everything in memory whatever the mode (tests, or a browser with no storage). */
  backends: StoreBackends | null;
  /** Writes within this window go out as one batch (one IndexedDB transaction). */
  flushDelayMs?: number;
}

type Tables = { [S in SchemaName]: Map<string, SchemaRecords[S]> };

/**
 * The Store of DESIGN.md: an in-memory cache of every schema, written through
 * (in batches) to localStorage and IndexedDB for a trusted session or to
 * nothing for a public one, firing `store:change:<schema>` with the changed
 * ids. Its `sync` is what Backbone.sync points at.
 */
export class Store {
  private readonly dispatch: Dispatch;
  private readonly backends: StoreBackends | null;
  private readonly flushDelayMs: number;
  private readonly tables = emptyTables();
  private readonly index = new MessageIndex();
  private dirty = new DirtySet();
  private userId: string | null = null;
  private persistent = false;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(options: StoreOptions) {
    this.dispatch = options.dispatch;
    this.backends = options.backends;
    this.flushDelayMs = options.flushDelayMs ?? 30;
  }

  /** Populates the cache from a trusted session stored on this device, so a cold start with no network shows everything. */
  async load(): Promise<void> {
    if (!this.backends) return;
    const [entry] = (await this.backends.local.readAll(SESSION_KEY)).filter(([key]) => key === SESSION_KEY);
    const session = entry?.[1] as SessionRecord | undefined;
    if (!session?.user?.id) return;
    this.userId = session.user.id;
    this.persistent = true;
    this.tables.session.set('current', session);
    await this.loadAccount(session.user.id);
    this.emit('session', ['current']);
  }

  /**
   * Scopes the store to the account that just logged in and picks the backend
   * by mode: a public computer persists nothing. Another account's data is
   * wiped first: a device holds one account.
   */
  async useAccount(user: User, publicComputer: boolean): Promise<void> {
    if (this.userId !== null && this.userId !== user.id) await this.wipe();
    const wasPersistent = this.persistent;
    const loaded = this.userId === user.id && wasPersistent;
    this.userId = user.id;
    this.persistent = !publicComputer && this.backends !== null;
    if (this.persistent && !loaded) {
      await this.loadAccount(user.id);
      this.dirty.markEverything(this.tables, this.index);
      this.scheduleFlush();
    } else if (!this.persistent && wasPersistent && this.backends) {
      // Switching a trusted device to public use: what was stored for it goes.
      this.cancelFlush();
      await this.destroyPersisted();
    }
  }

  currentUserId(): string | null {
    return this.userId;
  }

  isPersistent(): boolean {
    return this.persistent;
  }

  addItems<S extends SchemaName>(schema: S, items: Record<string, SchemaRecords[S]>): void {
    const table = this.tables[schema];
    const ids = Object.keys(items);
    for (const id of ids) {
      const item = items[id]!;
      if (schema === 'messages') this.indexMessage(table.get(id) as Message | undefined, item as Message);
      table.set(id, item);
      this.dirty.mark(schema, id, item);
    }
    if (ids.length === 0) return;
    this.scheduleFlush();
    this.emit(schema, ids);
  }

  removeItems<S extends SchemaName>(schema: S, ids: string[]): void {
    const table = this.tables[schema];
    const removed: string[] = [];
    for (const id of ids) {
      const old = table.get(id);
      if (old === undefined) continue;
      if (schema === 'messages') this.index.remove(old as Message);
      table.delete(id);
      this.dirty.markRemoved(schema, id, old);
      removed.push(id);
    }
    if (removed.length === 0) return;
    this.scheduleFlush();
    this.emit(schema, removed);
  }

  find<S extends SchemaName>(schema: S, id: string): SchemaRecords[S] | undefined {
    return this.tables[schema].get(id);
  }

  findAll<S extends SchemaName>(schema: S): SchemaRecords[S][] {
    return [...this.tables[schema].values()];
  }

  /** One conversation's stored messages in seq order. */
  messagesOf(conversationId: string): Message[] {
    return this.index.ids(conversationId).map((id) => this.tables.messages.get(id)!);
  }

  messageAt(conversationId: string, seq: number): Message | undefined {
    const id = this.index.idAt(conversationId, seq);
    return id === undefined ? undefined : this.tables.messages.get(id);
  }

  /**
   * Adds server messages and advances each conversation's sync position over
   * any run they make contiguous (firing `store:change:meta`). Messages that
   * contradict what is stored (consistent-messages.ts) are left out and
   * returned.
   */
  addMessages(incoming: Message[]): Message[] {
    const { accepted: messages, refused } = consistentMessages(incoming, this.tables.messages, this.index);
    if (messages.length === 0) return refused;
    this.addItems('messages', Object.fromEntries(messages.map((m) => [m.id, m])));
    const touched = new Set(messages.map((m) => m.conversationId));
    const changed: string[] = [];
    for (const conversationId of touched) {
      const position = this.syncPosition(conversationId);
      const syncedSeq = this.index.contiguousFrom(conversationId, position.syncedSeq);
      if (syncedSeq !== position.syncedSeq) {
        const oldestSeq = position.syncedSeq === 0 ? 1 : position.oldestSeq;
        this.tables.meta.set(conversationId, { id: conversationId, syncedSeq, oldestSeq });
        this.dirty.mark('meta', conversationId, null);
        changed.push(conversationId);
      }
    }
    if (changed.length) this.emit('meta', changed);
    return refused;
  }

  /** What is stored of a conversation's history; {0, 1} when nothing is. */
  syncPosition(conversationId: string): SyncPosition {
    return this.tables.meta.get(conversationId) ?? { id: conversationId, syncedSeq: 0, oldestSeq: 1 };
  }

  setSyncPosition(conversationId: string, position: Omit<SyncPosition, 'id'>): void {
    this.addItems('meta', { [conversationId]: { id: conversationId, ...position } });
  }

  /** Replaces Backbone.sync: models and collections declare `schemaName`. */
  readonly sync = (method: string, model: Backbone.Model | Backbone.Collection, options?: object): Promise<unknown> =>
    storeSync(this, method as SyncMethod, model, options);

  /** Writes everything pending now; resolves when it is on disk. */
  async flush(): Promise<void> {
    this.cancelFlush();
    const previous = this.flushing;
    const run = previous.then(() => this.writeDirty());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  /** Clears memory and every key and database the store made on this device. */
  async wipe(): Promise<void> {
    this.cancelFlush();
    await this.flushing;
    const removed = SCHEMAS.map((schema): [SchemaName, string[]] => [schema, [...this.tables[schema].keys()]]);
    for (const schema of SCHEMAS) this.tables[schema].clear();
    this.index.clear();
    this.dirty = new DirtySet();
    this.userId = null;
    this.persistent = false;
    if (this.backends) await this.destroyPersisted();
    for (const [schema, ids] of removed) if (ids.length) this.emit(schema, ids);
  }

  private async destroyPersisted(): Promise<void> {
    if (!this.backends) return;
    await Promise.all([this.backends.local.destroy(''), this.backends.indexed.destroy('')]);
  }

  private indexMessage(old: Message | undefined, message: Message): void {
    if (old) this.index.remove(old);
    this.index.add(message);
  }

  private emit(schema: SchemaName, ids: string[]): void {
    this.dispatch.trigger(`store:change:${schema}`, { [schema]: ids });
  }

  private scheduleFlush(): void {
    if (!this.persistent) {
      this.dirty = new DirtySet();
      return;
    }
    if (this.flushTimer !== null) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      void this.flush().catch((error: unknown) => console.error('store flush failed', error));
    }, this.flushDelayMs);
  }

  private cancelFlush(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }

  private async writeDirty(): Promise<void> {
    if (!this.persistent || !this.backends || this.userId === null || this.dirty.isEmpty()) return;
    const userId = this.userId;
    const dirty = this.dirty;
    this.dirty = new DirtySet();
    const local = dirty.localBatch(userId, this.tables);
    try {
      await this.backends.local.write(local);
    } catch (error) {
      // The small records are the server's to give again; the cache keeps them.
      console.warn('localStorage write failed', error);
    }
    for (let round = 0; ; round++) {
      try {
        await this.backends.indexed.write(dirty.indexedBatch(userId, this.tables, this.index));
        return;
      } catch (error) {
        if (!isQuotaError(error) || round >= 8) throw error;
        const evicted = evictOldestHistory(this.tables, this.index, dirty);
        if (evicted.ids.length === 0) throw error;
        this.emit('messages', evicted.ids);
        if (evicted.conversations.length) this.emit('meta', evicted.conversations);
        this.dispatch.emit('store:evicted', { messages: evicted.ids.length });
      }
    }
  }

  private async loadAccount(userId: string): Promise<void> {
    if (!this.backends) return;
    const [localEntries, indexedEntries] = await Promise.all([
      this.backends.local.readAll(accountPrefix(userId)),
      this.backends.indexed.readAll(accountPrefix(userId)),
    ]);
    const changed = new Map<SchemaName, string[]>();
    const put = <S extends SchemaName>(schema: S, id: string, value: SchemaRecords[S]): void => {
      if (this.tables[schema].has(id)) return; // memory is newer than disk
      if (schema === 'messages') this.index.add(value as Message);
      this.tables[schema].set(id, value);
      let ids = changed.get(schema);
      if (!ids) changed.set(schema, (ids = []));
      ids.push(id);
    };
    for (const [key, value] of localEntries) {
      for (const schema of LOCAL_SCHEMAS) {
        if (key === schemaKey(userId, schema)) for (const [id, item] of Object.entries(value as object)) put(schema, id, item);
      }
    }
    const outboxPrefix = outboxKey(userId, '');
    for (const [key, value] of indexedEntries) {
      if (key === schemaKey(userId, 'meta')) {
        for (const [id, item] of Object.entries(value as Record<string, SyncPosition>)) put('meta', id, item);
      } else if (key.startsWith(outboxPrefix)) {
        put('outbox', key.slice(outboxPrefix.length), value as SchemaRecords['outbox']);
      } else if (parseChunkKey(userId, key)) {
        for (const message of Object.values(value as Record<string, Message>)) {
          if (chunkOf(message.seq) >= 0) put('messages', message.id, message);
        }
      }
    }
    for (const [schema, ids] of changed) this.emit(schema, ids);
  }
}

function emptyTables(): Tables {
  return Object.fromEntries(SCHEMAS.map((schema) => [schema, new Map()])) as unknown as Tables;
}


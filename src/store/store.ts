import { SCHEMAS, type SchemaName } from './schemas';
import type { Dispatch } from '../dispatch/dispatch';
import type { Entry, Message, User } from '../protocol';
import { readKeys } from './backend-reads';
import { firstPaintChunks, type ChunkRef } from './chunk-catalogue';
import { consistentMessages } from './consistent-messages';
import { DirtySet } from './dirty-set';
import { evictOldestHistory } from './eviction';
import { isQuotaError, type KeyValueBackend } from './key-value-backend';
import { HistoryOnDisk } from './history-on-disk';
import { LOCAL_SCHEMAS, SESSION_KEY, accountPrefix, chunkOf, headsKey, outboxKey, schemaKey } from './key-layout';
import { MessageHeads } from './message-heads';
import { MessageIndex } from './message-index';
import { conversationAfter } from './system-lines';
import { NewerRevisions, isNewerRevision, replaces } from './newer-revisions';
import type { ChangeMark, SchemaRecords, SessionRecord, StoredEntry, SyncPosition } from './records';
import { upgradeConversation, upgradeOutboxEntry, upgradeStoredEntry, type V1Conversation, type V1Message } from './record-upgrades';

export interface StoreBackends {
  /** Small records: session, contacts, conversations, drafts. */
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
 * The Store of docs/ARCHITECTURE.md: an in-memory cache of every schema, written through
 * (in batches) to localStorage and IndexedDB for a trusted session or to
 * nothing for a public one, firing `store:change:<schema>` with the changed
 * ids. Models and collections read and write it through Backbone.sync
 * (store-sync.ts), which picks the store declared on them.
 *
 * History is read from disk lazily: a cold start reads the small records, the
 * sync positions, the outbox, each conversation's newest message (`heads`)
 * and only the chunks unread counts need; a conversation's other chunks are
 * read newest first by `loadStoredHistory` (docs/CLIENT.md, "Lazy history").
 */
export class Store {
  private readonly dispatch: Dispatch;
  private readonly backends: StoreBackends | null;
  private readonly flushDelayMs: number;
  private readonly tables = emptyTables();
  private readonly index = new MessageIndex();
  /** Newest stored message per conversation, whether or not its chunk is in memory. */
  private readonly heads = new MessageHeads();
  /** null without backends: then all history is in memory. */
  private readonly disk: HistoryOnDisk | null;
  private dirty = new DirtySet();
  /** Newer revisions of messages not in memory when their change came: the message arriving later takes them. */
  private readonly newer = new NewerRevisions();
  private userId: string | null = null;
  private persistent = false;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(options: StoreOptions) {
    this.dispatch = options.dispatch;
    this.backends = options.backends;
    this.disk = options.backends ? new HistoryOnDisk(options.backends.indexed) : null;
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
      // Switching a trusted device to public use: what was stored for it goes,
      // after the history still on disk is in memory (the sync positions claim it).
      this.cancelFlush();
      await this.loadEverything(user.id);
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
      if (schema === 'messages') this.indexMessage(table.get(id) as StoredEntry | undefined, item as StoredEntry);
      table.set(id, item);
      this.dirty.mark(schema, id, item);
    }
    if (ids.length === 0) return;
    this.scheduleFlush();
    this.emit(schema, ids);
  }

  /** Removing messages rewrites their chunks from memory: only for chunks read whole (eviction reads all first). */
  removeItems<S extends SchemaName>(schema: S, ids: string[]): void {
    const table = this.tables[schema];
    const removed: string[] = [];
    for (const id of ids) {
      const old = table.get(id);
      if (old === undefined) continue;
      if (schema === 'messages') this.unindexMessage(old as StoredEntry);
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

  /** One conversation's entries in memory (every kind), in seq order (its newest chunks; see loadStoredHistory). */
  messagesOf(conversationId: string): StoredEntry[] {
    return this.index.ids(conversationId).map((id) => this.tables.messages.get(id)!);
  }

  messageAt(conversationId: string, seq: number): StoredEntry | undefined {
    const id = this.index.idAt(conversationId, seq);
    return id === undefined ? undefined : this.tables.messages.get(id);
  }

  /** The conversation's newest stored message, also when its chunk has not been read from disk. */
  newestMessage(conversationId: string): Message | undefined {
    return this.heads.get(conversationId);
  }

  /**
   * Reads the conversation's newest chunks not yet in memory, until they held
   * at least `minMessages` messages or none is left, and adds their messages
   * (store:change:messages). Resolves to the number of messages read: 0 when
   * the disk holds nothing more of it. Calls for one conversation run in turn.
   */
  loadStoredHistory(conversationId: string, minMessages = 1): Promise<number> {
    if (!this.disk) return Promise.resolve(0);
    return this.disk.inTurn(conversationId, () => this.readOlderChunks(conversationId, minMessages));
  }

  /**
   * Adds server entries of every kind (section 7) and advances each
   * conversation's sync position over any run they make contiguous (firing
   * `store:change:meta`): an edit or a reaction fills its seq like a
   * message. Of two copies of one message the higher `revision` is kept, so
   * entries may come in any order and paging back never brings an older
   * state. An edit, deletion or reaction is kept as a mark without its
   * `target`; the target replaces the stored message when newer (in memory,
   * or in its chunk on disk), so a deletion erases the text everywhere on
   * the device. Entries that contradict what is stored
   * (consistent-messages.ts) are left out and returned.
   *
   * A stored entry of mine settles the outbox entry it was sent from (same
   * sender and clientMessageId), whoever stored it (the answer, a
   * notification, another tab's copy): the outbox entry goes right after the
   * entry change, so a list turns the echo into the row in place.
   */
  addEntries(incoming: readonly (Entry | StoredEntry)[]): StoredEntry[] {
    const records: StoredEntry[] = [];
    const targets: Message[] = [];
    for (const entry of incoming) {
      if ('target' in entry) {
        const { target, ...mark } = entry;
        records.push(mark as ChangeMark);
        targets.push(target);
      } else records.push(entry);
    }
    const { accepted, refused } = consistentMessages(records, this.tables.messages, this.index);
    const changes: Record<string, StoredEntry> = {};
    for (const arrived of accepted) {
      // A change of this message may have come first, while the device did not hold it.
      const entry = this.newer.take(arrived);
      const stored = this.tables.messages.get(entry.id);
      if (stored === undefined || isNewerRevision(entry, stored)) changes[entry.id] = entry;
    }
    // Targets after the entries: a page may carry a message and a change of it.
    const refusedIds = new Set(refused.map((e) => e.id));
    for (const target of targets) {
      if (refusedIds.has(target.id)) continue;
      const stored = (changes[target.id] as StoredEntry | undefined) ?? this.tables.messages.get(target.id);
      if (stored) {
        if (replaces(target, stored)) changes[target.id] = target;
      } else this.rememberNewer(target);
    }
    if (Object.keys(changes).length) this.addItems('messages', changes);
    const settled = accepted.filter((e) => this.tables.outbox.get(e.clientMessageId)?.senderId === e.senderId);
    if (settled.length) this.removeItems('outbox', settled.map((e) => e.clientMessageId));
    this.advanceSyncPositions(new Set(accepted.map((e) => e.conversationId)));
    this.applySystemLines(accepted);
    return refused;
  }

  /**
   * Applies a message as the server has it now (a ReactResponse's target
   * with no entry), when newer than the stored copy; a message not held on
   * the device is not added (paging back brings it as it is then).
   */
  applyMessage(target: Message): void {
    const stored = this.tables.messages.get(target.id);
    if (!stored) return this.rememberNewer(target);
    if (replaces(target, stored)) this.addItems('messages', { [target.id]: target });
  }

  /** A rename or a change of members updates the stored conversation at once (system-lines.ts). */
  private applySystemLines(entries: readonly StoredEntry[]): void {
    const changed: Record<string, SchemaRecords['conversations']> = {};
    for (const conversationId of new Set(entries.filter((e) => e.kind === 'members' || e.kind === 'title').map((e) => e.conversationId))) {
      const conversation = this.tables.conversations.get(conversationId);
      const next = conversation && conversationAfter(conversation, entries);
      if (next) changed[conversationId] = next;
    }
    if (Object.keys(changed).length) this.addItems('conversations', changed);
  }

  private advanceSyncPositions(touched: Set<string>): void {
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
  }

  /**
   * A newer revision of a message not in memory: remembered (newer-revisions.ts),
   * and if its chunk is on disk and not read yet, the chunk's copy is
   * overwritten there, so the old text does not stay on the device.
   */
  private rememberNewer(target: Message): void {
    if (!this.newer.remember(target)) return;
    const userId = this.userId;
    if (!this.disk || !this.persistent || userId === null || !this.disk.holdsUnread(target.conversationId, target.seq)) return;
    this.disk.patchUnread(userId, [target], this.disk.epoch).catch((error: unknown) => console.warn('could not update a stored message', error));
  }

  /** What is stored of a conversation's history; {0, 1} when nothing is. */
  syncPosition(conversationId: string): SyncPosition {
    return this.tables.meta.get(conversationId) ?? { id: conversationId, syncedSeq: 0, oldestSeq: 1 };
  }

  setSyncPosition(conversationId: string, position: Omit<SyncPosition, 'id'>): void {
    this.addItems('meta', { [conversationId]: { id: conversationId, ...position } });
  }

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
    this.disk?.forget();
    const removed = SCHEMAS.map((schema): [SchemaName, string[]] => [schema, [...this.tables[schema].keys()]]);
    for (const schema of SCHEMAS) this.tables[schema].clear();
    this.index.clear();
    this.heads.clear();
    this.newer.clear();
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

  private indexMessage(old: StoredEntry | undefined, message: StoredEntry): void {
    if (old) this.index.remove(old);
    this.index.add(message);
    this.raiseHead(message);
  }

  private unindexMessage(message: StoredEntry): void {
    this.index.remove(message);
    if (this.heads.get(message.conversationId)?.id !== message.id) return;
    this.heads.recompute(message.conversationId, this.index, (id) => this.tables.messages.get(id));
    this.dirty.markHeadsReplaced();
  }

  private raiseHead(message: StoredEntry): void {
    if (message.kind === 'message' && this.heads.raise(message)) this.dirty.markHead(message.conversationId);
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
        await this.backends.indexed.write(dirty.indexedBatch(userId, this.tables, this.index, this.heads.all()));
        return;
      } catch (error) {
        if (!isQuotaError(error) || round >= 8) throw error;
        // Eviction picks the oldest chunks of all history, so all of it must be in memory.
        await this.loadEverything(userId);
        const evicted = evictOldestHistory(this.tables, this.index, dirty);
        if (evicted.ids.length === 0) throw error;
        for (const conversationId of evicted.conversations) this.heads.recompute(conversationId, this.index, (id) => this.tables.messages.get(id));
        if (evicted.conversations.length) dirty.markHeadsReplaced();
        this.emit('messages', evicted.ids);
        if (evicted.conversations.length) this.emit('meta', evicted.conversations);
        this.dispatch.emit('store:evicted', { messages: evicted.ids.length });
      }
    }
  }

  /**
   * Reads the account's small records, sync positions, outbox and heads, and
   * of the history only the chunks the first paint needs (chunk-catalogue.ts).
   * Called again (another tab's changes), it adds what this tab does not hold
   * yet, and re-reads the chunks it had read.
   */
  private async loadAccount(userId: string): Promise<void> {
    if (!this.backends || !this.disk) return;
    const { local, indexed } = this.backends;
    const disk = this.disk;
    const epoch = disk.epoch;
    const outboxPrefix = outboxKey(userId, '');
    const [localEntries, records, outboxEntries, chunks] = await Promise.all([
      local.readAll(accountPrefix(userId)),
      readKeys(indexed, [schemaKey(userId, 'meta'), headsKey(userId)]),
      indexed.readAll(outboxPrefix),
      disk.survey(userId),
    ]);
    if (!disk.isCurrent(epoch)) return;
    const changed = new Map<SchemaName, string[]>();
    const put = <S extends SchemaName>(schema: S, id: string, value: SchemaRecords[S]): void => {
      if (this.tables[schema].has(id)) return; // memory is newer than disk
      this.tables[schema].set(id, value);
      let ids = changed.get(schema);
      if (!ids) changed.set(schema, (ids = []));
      ids.push(id);
    };
    for (const [key, value] of localEntries) {
      for (const schema of LOCAL_SCHEMAS) {
        if (key !== schemaKey(userId, schema)) continue;
        for (const [id, item] of Object.entries(value as object)) {
          // Conversations stored by the version-1 client are upgraded as they are read.
          put(schema, id, schema === 'conversations' ? upgradeConversation(item as V1Conversation, userId) : item);
        }
      }
    }
    for (const [key, value] of records) {
      if (key === headsKey(userId)) {
        for (const head of Object.values(value as Record<string, Message | V1Message>)) {
          const upgraded = upgradeStoredEntry(head);
          if (upgraded.kind === 'message') this.heads.raise(upgraded);
        }
      } else for (const [id, item] of Object.entries(value as Record<string, SyncPosition>)) put('meta', id, item);
    }
    for (const [key, value] of outboxEntries) put('outbox', key.slice(outboxPrefix.length), upgradeOutboxEntry(value as SchemaRecords['outbox']));

    disk.catalogue.setOnDisk(chunks);
    const wanted = [
      ...disk.catalogue.readChunks(),
      ...firstPaintChunks(disk.catalogue, (id) => this.tables.conversations.get(id), (id) => this.syncPosition(id), (id) => this.heads.has(id)),
    ];
    const messageIds = await this.readChunks(userId, wanted, epoch);
    if (messageIds === null) return;
    if (messageIds.length) changed.set('messages', messageIds);
    for (const [schema, ids] of changed) this.emit(schema, ids);
  }

  private async readOlderChunks(conversationId: string, minMessages: number): Promise<number> {
    const userId = this.userId;
    if (!this.disk || !this.persistent || userId === null) return 0;
    const epoch = this.disk.epoch;
    let read = 0;
    while (read < minMessages) {
      const chunks = this.disk.catalogue.newestUnread(conversationId, minMessages - read, this.heads.get(conversationId)?.seq);
      if (chunks.length === 0) break;
      const ids = await this.readChunks(userId, chunks.map((chunk) => ({ conversationId, chunk })), epoch, (n) => (read += n));
      if (ids === null) return 0;
      if (ids.length) this.emit('messages', ids);
    }
    return read;
  }

  /** Every chunk still on disk into memory: before evicting, or before the device stops persisting. */
  private async loadEverything(userId: string): Promise<void> {
    if (!this.disk) return;
    const ids = await this.readChunks(userId, this.disk.unread(), this.disk.epoch);
    if (ids?.length) this.emit('messages', ids);
  }

  /**
   * Reads chunks and adds their messages that memory does not hold (memory is
   * newer than disk), not marked dirty: they are on disk already. Returns the
   * added ids, or null when a wipe came between.
   */
  private async readChunks(userId: string, chunks: ChunkRef[], epoch: number, counted?: (messages: number) => void): Promise<string[] | null> {
    if (!this.disk || chunks.length === 0) return [];
    const messages = await this.disk.read(userId, chunks, epoch);
    if (messages === null || this.userId !== userId) return null;
    counted?.(messages.length);
    const added: string[] = [];
    for (const read of messages) {
      if (chunkOf(read.seq) < 0 || this.tables.messages.has(read.id)) continue;
      // A newer revision that came while the chunk was on disk only replaces what the disk held.
      const message = this.newer.take(read);
      if (message !== read) this.dirty.mark('messages', message.id, message);
      this.tables.messages.set(message.id, message);
      this.index.add(message);
      this.raiseHead(message);
      added.push(message.id);
    }
    // Heads learned from chunks (data from before heads were stored) are written with the next batch.
    if (!this.dirty.isEmpty()) this.scheduleFlush();
    return added;
  }
}

function emptyTables(): Tables {
  return Object.fromEntries(SCHEMAS.map((schema) => [schema, new Map()])) as unknown as Tables;
}


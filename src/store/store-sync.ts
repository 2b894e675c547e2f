import type Backbone from 'backbone';
import { SCHEMAS, type SchemaName } from './schemas';
import { ProtocolError } from '../protocol';
import type { SchemaRecords } from './records';
import { Store } from './store';

/**
 * The schemas a model may write through sync: what the person makes on this
 * device. The rest is the server's copy, which the controllers store as the
 * server sends it (addEntries keeps the sync positions, which a model's
 * write would not).
 */
const WRITABLE: ReadonlySet<SchemaName> = new Set<SchemaName>(['outbox', 'drafts', 'preferences']);

interface SyncOptions {
  success?(response: unknown): void;
  error?(error: unknown): void;
}

/**
 * Backbone.sync over the store, in the shape of backbone.localStorage's: the
 * store is the one declared on the model or its collection (`store`), the
 * schema its `schemaName`. Reads come from the store's memory; writes go
 * through addItems/removeItems, so they persist and fire store:change like
 * every other change. `Backbone.sync = storeSync` is all it takes.
 */
export function storeSync(method: string, target: Backbone.Model | Backbone.Collection, options: object = {}): Promise<unknown> {
  const { success, error } = options as SyncOptions;
  try {
    const response = isCollection(target) ? readCollection(method, target) : syncModel(method, target);
    success?.(response);
    return Promise.resolve(response);
  } catch (e) {
    error?.(e);
    return Promise.reject(e);
  }
}

/** The store a model or collection reads through: its own, else its collection's. */
export function declaredStore(target: Backbone.Model | Backbone.Collection): Store | undefined {
  return ownStore(target) ?? ('collection' in target ? ownStore(target.collection) : undefined);
}

function readCollection(method: string, collection: Backbone.Collection): unknown {
  const store = requireStore(collection);
  if (method !== 'read') throw new ProtocolError('INVALID_PAYLOAD', `a collection only reads through the store; "${method}" is for its models`);
  // A collection narrower than its schema (one conversation's messages) answers the read itself.
  if ('storeQuery' in collection && typeof collection.storeQuery === 'function') return collection.storeQuery(store) as unknown;
  return store.findAll(requireSchema(collection));
}

function syncModel(method: string, model: Backbone.Model): unknown {
  const store = requireStore(model);
  const schema = requireSchema(model);
  const id = storeIdOf(model);
  if (method === 'read') {
    const found = id === undefined ? undefined : store.find(schema, id);
    if (found === undefined) throw new ProtocolError('NOT_FOUND', `the store holds no ${schema} item with id ${String(id)}`);
    return found;
  }
  if (!WRITABLE.has(schema)) throw new ProtocolError('FORBIDDEN', `${schema} items are the server's; a model cannot ${method} one (id ${String(id)}) through the store`);
  if (id === undefined) throw new ProtocolError('INVALID_PAYLOAD', `a ${schema} item needs an id to be stored`);
  // After a logout (a composer saving as it goes) a write would outlive the wipe and reach the next account.
  if (store.currentUserId() === null) throw new ProtocolError('NOT_AUTHENTICATED', `no account is signed in on this device to keep ${schema} item ${id} for`);
  if (method === 'delete') {
    store.removeItems(schema, [id]);
    return {};
  }
  const record = model.toJSON() as SchemaRecords[SchemaName];
  store.addItems(schema, { [id]: record } as Record<string, SchemaRecords[SchemaName]>);
  return record;
}

function requireStore(target: Backbone.Model | Backbone.Collection): Store {
  const store = declaredStore(target);
  if (!store) throw new ProtocolError('INVALID_PAYLOAD', 'neither this model nor its collection declares a store to sync with');
  return store;
}

/** The schema the target (or a model's collection) declares. */
function requireSchema(target: Backbone.Model | Backbone.Collection): SchemaName {
  const schema = schemaOf(target) ?? ('collection' in target ? schemaOf(target.collection) : undefined);
  if (!schema) throw new ProtocolError('INVALID_PAYLOAD', 'neither this model nor its collection declares a schemaName, so the store cannot tell where it lives');
  return schema;
}

/** The record's id in its schema: `storeId()` where the model's own id differs (a local echo is its outbox entry). */
function storeIdOf(model: Backbone.Model): string | undefined {
  if ('storeId' in model && typeof model.storeId === 'function') return String(model.storeId());
  return model.id === undefined ? undefined : String(model.id);
}

function ownStore(holder: unknown): Store | undefined {
  return typeof holder === 'object' && holder !== null && 'store' in holder && holder.store instanceof Store ? holder.store : undefined;
}

function schemaOf(holder: unknown): SchemaName | undefined {
  if (typeof holder !== 'object' || holder === null || !('schemaName' in holder)) return undefined;
  const name = holder.schemaName;
  return SCHEMAS.find((schema) => schema === name);
}

function isCollection(target: Backbone.Model | Backbone.Collection): target is Backbone.Collection {
  return Array.isArray((target as Backbone.Collection).models);
}

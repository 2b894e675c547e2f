import type Backbone from 'backbone';
import type { SchemaName } from './schemas';
import { ProtocolError } from '../protocol';
import type { SchemaRecords } from './records';
import type { Store } from './store';

export type SyncMethod = 'create' | 'read' | 'update' | 'patch' | 'delete';

/** What a model or collection declares to be read through the store. */
export interface StoreBacked {
  schemaName?: SchemaName;
  /** A collection narrower than its whole schema (one conversation's messages) answers reads itself. */
  storeQuery?(store: Store): object[];
}

interface SyncOptions {
  success?(response: unknown): void;
  error?(error: unknown): void;
}

/**
 * Backbone.sync over the store, in the shape of backbone.localStorage: reads
 * come from the cache, writes go through addItems/removeItems (and so fire
 * store:change and persist). The schema comes from the model or its collection.
 */
export function storeSync(store: Store, method: SyncMethod, target: Backbone.Model | Backbone.Collection, options: object = {}): Promise<unknown> {
  const { success, error } = options as SyncOptions;
  const fail = (e: ProtocolError): Promise<never> => {
    error?.(e);
    return Promise.reject(e);
  };
  const schema = schemaNameOf(target);
  if (!schema) return fail(new ProtocolError('INVALID_PAYLOAD', 'model has no schemaName, so the store cannot tell where it lives'));
  let response: unknown;
  if (isCollection(target)) {
    if (method !== 'read') return fail(new ProtocolError('INVALID_PAYLOAD', `collections only read, not ${method}`));
    const backed = target as unknown as StoreBacked;
    response = backed.storeQuery ? backed.storeQuery(store) : store.findAll(schema);
  } else if (method === 'read') {
    response = target.id === undefined ? undefined : store.find(schema, String(target.id));
    if (response === undefined) return fail(new ProtocolError('NOT_FOUND', `no ${schema} item with id ${String(target.id)}`));
  } else if (method === 'delete') {
    if (target.id !== undefined) store.removeItems(schema, [String(target.id)]);
    response = {};
  } else {
    const attributes = target.toJSON() as SchemaRecords[SchemaName];
    const id = target.id ?? (attributes as { id?: unknown }).id;
    if (id === undefined) return fail(new ProtocolError('INVALID_PAYLOAD', `a ${schema} item needs an id to be stored`));
    store.addItems(schema, { [String(id)]: attributes } as Record<string, SchemaRecords[typeof schema]>);
    response = attributes;
  }
  success?.(response);
  return Promise.resolve(response);
}

function isCollection(target: Backbone.Model | Backbone.Collection): target is Backbone.Collection {
  return Array.isArray((target as Backbone.Collection).models);
}

function schemaNameOf(target: Backbone.Model | Backbone.Collection): SchemaName | undefined {
  const own = (target as unknown as StoreBacked).schemaName;
  if (own) return own;
  const collection = (target as Backbone.Model).collection as unknown as StoreBacked | undefined;
  return collection?.schemaName;
}

/** The schemas the store keeps; each fires `store:change:<schema>`. */
export const SCHEMAS = ['session', 'contacts', 'conversations', 'messages', 'outbox', 'meta', 'drafts', 'preferences'] as const;
export type SchemaName = (typeof SCHEMAS)[number];

/** Payload of `store:change:<schema>`: the changed (added, updated or removed) ids, keyed by the schema. */
export type StoreChange<S extends SchemaName = SchemaName> = { [K in S]: string[] };

type StoreChangeEvents = { [S in SchemaName as `store:change:${S}`]: StoreChange<S> };

/** The events the Store fires. */
declare module '../dispatch/bus-events' {
  interface BusEvents extends StoreChangeEvents {
    /** The store dropped old history to make room for the outbox (quota). */
    'store:evicted': { messages: number };
  }
}

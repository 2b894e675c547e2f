import type { ClientEvents } from '../core/client-core-api';
import type { ProtocolError, ServerMessages } from '../protocol';

/** The schemas the store keeps; each fires `store:change:<schema>`. */
export const SCHEMAS = ['session', 'contacts', 'conversations', 'messages', 'outbox', 'meta'] as const;
export type SchemaName = (typeof SCHEMAS)[number];

/** Payload of `store:change:<schema>`: the changed (added, updated or removed) ids, keyed by the schema. */
export type StoreChange<S extends SchemaName = SchemaName> = { [K in S]: string[] };

type StoreChangeEvents = { [S in SchemaName as `store:change:${S}`]: StoreChange<S> };

/**
 * Events the core uses between its own layers; views may listen too, but the
 * contract with them is `ClientEvents`.
 */
export interface CoreEvents {
  /** The socket opened: the login controller registers. */
  'connection:open': { attempt: number };
  /** The server accepted the registration: commands may follow. */
  'client:registered': { clientId: string };
  /** The socket closed or was declared dead. */
  'connection:close': { code: number; reason: string };
  /** An incoming frame was malformed or failed validation; it went no further. */
  'protocol:error': { error: ProtocolError; frame: string };
  /** The person wrote a message (the typing controller stops announcing typing). */
  'message:written': { conversationId: string; clientMessageId: string };
}

/** Every event on the dispatch bus with its payload: server messages by short name, client and core events, store changes. */
export type BusEvents = ServerMessages & ClientEvents & CoreEvents & StoreChangeEvents;
export type BusEventName = keyof BusEvents;

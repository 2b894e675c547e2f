import type { ProtocolError } from '../protocol';

export type ConnectionState = 'connecting' | 'online' | 'offline';

/** Payload of `connection:state`. `nextAttemptAt` (ms epoch) is set while a reconnect is scheduled. */
export interface ConnectionStatus {
  state: ConnectionState;
  nextAttemptAt?: number;
  attempt?: number;
}

/** The events the Communicator fires besides the server's messages. */
declare module '../dispatch/bus-events' {
  interface BusEvents {
    /** The connection's state changed; the banner shows it. */
    'connection:state': ConnectionStatus;
    /** The socket opened: the login controller registers. */
    'connection:open': { attempt: number };
    /** The socket closed or was declared dead. */
    'connection:close': { code: number; reason: string };
    /** An incoming frame was malformed or failed validation; it went no further. */
    'protocol:error': { error: ProtocolError; frame: string };
  }
}

import type { ServerMessages } from '../protocol';

/**
 * Every event on the dispatch bus with its payload. The bus knows nothing
 * above it: it starts with the server's messages (the communicator triggers
 * each by its short name), and each layer adds the events it fires by
 * augmenting this interface in its own module, beside the code that fires
 * them:
 *
 * - src/communicator/connection-events.ts: `connection:state`, `connection:open`, `connection:close`, `protocol:error`
 * - src/store/schemas.ts: `store:change:<schema>`, `store:evicted`
 * - src/controllers/login-controller.ts: `client:registered`, `session:ready`, `session:ended`, `login:failed`
 * - src/controllers/outbox-controller.ts: `message:written`
 * - src/controllers/typing-controller.ts: `typing:change`
 * - src/controllers/directory-controller.ts: `action:error`
 */
export interface BusEvents extends ServerMessages {}

export type BusEventName = keyof BusEvents;

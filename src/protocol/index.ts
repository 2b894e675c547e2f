/** The wire contract shared by the browser client and the server (docs/PROTOCOL.md). */
export * from './names';
export * from './errors';
export * from './limits';
export * from './strings';
export * from './emoji';
export * from './entities';
export * from './commands';
export * from './responses';
export * from './frame';
export * from './message-frames';
export * from './search';

/**
 * Command naming on the wire. Every frame is `{"com.comoyo.<ShortName>": payload}`;
 * the short name is what the dispatch bus and the server's handler table use.
 */
export const COMMAND_NAMESPACE = 'com.comoyo.';

/** The protocol version this code speaks (docs/PROTOCOL.md: version 2, a conversation is a log of entries). */
export const PROTOCOL_VERSION = 2;

/** `AccountLoginCommand` -> `com.comoyo.AccountLoginCommand`. */
export function fullCommandName(shortName: string): string {
  return COMMAND_NAMESPACE + shortName;
}

/** `com.comoyo.AccountLoginCommand` -> `AccountLoginCommand`, or null when the name is not ours. */
export function shortCommandName(fullName: string): string | null {
  if (!fullName.startsWith(COMMAND_NAMESPACE)) return null;
  const short = fullName.slice(COMMAND_NAMESPACE.length);
  return /^[A-Za-z][A-Za-z0-9]*$/.test(short) ? short : null;
}

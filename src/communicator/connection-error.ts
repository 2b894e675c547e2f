/**
 * Codes for failures that happen on this side of the wire, before the server
 * could answer; the server's own refusals arrive as a ProtocolError with one
 * of the protocol's ErrorCodes.
 */
export const CONNECTION_ERROR_CODES = ['OFFLINE', 'DISCONNECTED', 'TIMEOUT'] as const;
export type ConnectionErrorCode = (typeof CONNECTION_ERROR_CODES)[number];

export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
  constructor(
    readonly code: ConnectionErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Every error code of docs/PROTOCOL.md section 5, listed once. Client and server
 * both throw and match on these; the message is a human sentence that names
 * the bad value, the code is what programs compare.
 */
export const ERROR_CODES = [
  'BAD_JSON',
  'BAD_FRAME',
  'UNKNOWN_COMMAND',
  'INVALID_PAYLOAD',
  'NOT_REGISTERED',
  'NOT_AUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  /** The target message was deleted (version 2, section 8). */
  'GONE',
  'RATE_LIMITED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** An error that maps one-to-one onto an `ErrorResponse` frame. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

/** Reasons an `AccountLoginResponse` may carry with `loggedIn: false`. */
export const LOGIN_FAILURE_REASONS = ['BAD_CREDENTIALS', 'SESSION_EXPIRED', 'THROTTLED'] as const;
export type LoginFailureReason = (typeof LOGIN_FAILURE_REASONS)[number];

/** WebSocket close codes the server uses (RFC 6455). */
export const CLOSE_CODES = {
  /** Server shutting down; clients reconnect. */
  GOING_AWAY: 1001,
  /** Still flooding after the rate-limit grace period, silent past the heartbeat, or not reading its replies (too slow). */
  POLICY_VIOLATION: 1008,
  /** A frame over `maxFrameBytes`. */
  MESSAGE_TOO_BIG: 1009,
  /** Not logged in within the login deadline of opening (or of logging out); the client reconnects when it has a login to send. */
  LOGIN_TIMEOUT: 4408,
  /** The account already has as many logged-in sockets as the server allows; the client backs off before reconnecting. */
  TOO_MANY_SOCKETS: 4429,
} as const;

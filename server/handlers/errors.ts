import { ProtocolError, type ServerMessages } from '../../src/protocol/index';

// SQLite's codes for a database that cannot be written. The person (and the
// client's retry) should know the server stored nothing and why, without a
// stack trace or a path.
const STORAGE_UNAVAILABLE = new Set(['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_CANTOPEN', 'SQLITE_IOERR']);

/**
 * The ErrorResponse for an error a command ended in: a ProtocolError's own
 * code and sentence; anything else is INTERNAL, with a sentence that says
 * whether unwritable storage is the reason. Used by the dispatcher and by
 * the send path (whose commands end after their commit).
 */
export function errorResponse(error: unknown, command: string | undefined, requestId: string | undefined): ServerMessages['ErrorResponse'] {
  const payload: ServerMessages['ErrorResponse'] =
    error instanceof ProtocolError ? { code: error.code, message: error.message } : { code: 'INTERNAL', message: internalMessage(error) };
  if (command !== undefined) payload.command = command;
  if (requestId !== undefined) payload.requestId = requestId;
  return payload;
}

function internalMessage(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && STORAGE_UNAVAILABLE.has(code.split('_').slice(0, 2).join('_'))) {
    return 'the server cannot store anything right now (its storage is full or not writable); nothing was saved, please retry later';
  }
  return 'the server could not process this command; please retry later';
}

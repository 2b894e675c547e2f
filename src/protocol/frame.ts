import type { z } from 'zod';
import { ClientCommandSchemas, isClientCommandName, type ClientCommandName, type ClientCommands } from './commands';
import { ProtocolError } from './errors';
import { fullCommandName, shortCommandName } from './names';
import { loneSurrogateIndex } from './strings';
import { ServerMessageSchemas, isServerMessageName, type ServerMessageName, type ServerMessages } from './responses';

/**
 * The one place JSON meets the wire. `decodeFrame` turns text into a short
 * name and a payload object or throws a coded ProtocolError; the typed
 * parsers then validate the payload against its schema.
 */
export interface DecodedFrame {
  name: string;
  payload: Record<string, unknown>;
}

export function encodeFrame(shortName: string, payload: object): string {
  return JSON.stringify({ [fullCommandName(shortName)]: payload });
}

export function decodeFrame(text: string): DecodedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError('BAD_JSON', 'frame is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('BAD_FRAME', 'frame must be a JSON object with exactly one key');
  }
  const keys = Object.keys(value);
  if (keys.length !== 1) {
    throw new ProtocolError('BAD_FRAME', `frame must have exactly one key, it has ${keys.length}`);
  }
  const key = keys[0]!;
  const name = shortCommandName(key);
  if (name === null) {
    throw new ProtocolError('BAD_FRAME', `frame key ${JSON.stringify(key.slice(0, 80))} is not a namespaced command name`);
  }
  const payload = (value as Record<string, unknown>)[key];
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new ProtocolError('BAD_FRAME', `payload of ${name} must be a JSON object`, name);
  }
  return { name, payload: payload as Record<string, unknown> };
}

/**
 * The requestId of a payload if it is a valid one (1-64 characters of
 * well-formed text), so errors can echo it even when validation fails; a
 * malformed one is never sent back.
 */
export function peekRequestId(payload: Record<string, unknown>): string | undefined {
  const id = payload['requestId'];
  return typeof id === 'string' && id.length >= 1 && id.length <= 64 && loneSurrogateIndex(id) < 0 ? id : undefined;
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'payload is invalid';
  const { path, message } = innermost(issue);
  return `${path.length ? path.join('.') : 'payload'}: ${message}`;
}

/**
 * A union's issue says only "Invalid input"; the field at fault is in the
 * branch the payload came closest to (fewest fields missing, then fewest
 * issues), so name that one.
 */
function innermost(issue: z.core.$ZodIssue): { path: PropertyKey[]; message: string } {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const distance = (branch: z.core.$ZodIssue[]): number =>
      // A missing field is `invalid_type`, a missing literal (`useCookie: true`) `invalid_value`: both say the branch is not the one meant.
      branch.filter((i) => (i.code === 'invalid_type' || i.code === 'invalid_value') && i.input === undefined).length * 1000 + branch.length;
    const closest = issue.errors.reduce((best, branch) => (distance(branch) < distance(best) ? branch : best));
    const inner = closest[0];
    if (inner) {
      const found = innermost(inner);
      return { path: [...issue.path, ...found.path], message: found.message };
    }
  }
  return { path: issue.path, message: issue.message };
}

export type ParsedClientCommand = { [K in ClientCommandName]: { name: K; payload: ClientCommands[K] } }[ClientCommandName];

/** Validates a decoded frame as a client command (server side). */
export function parseClientCommand(frame: DecodedFrame): ParsedClientCommand {
  if (!isClientCommandName(frame.name)) {
    throw new ProtocolError('UNKNOWN_COMMAND', `unknown command ${frame.name}`, frame.name);
  }
  const result = ClientCommandSchemas[frame.name].safeParse(frame.payload);
  if (!result.success) {
    throw new ProtocolError('INVALID_PAYLOAD', `${frame.name} ${describeIssue(result.error)}`, frame.name);
  }
  return { name: frame.name, payload: result.data } as ParsedClientCommand;
}

export type ParsedServerMessage = { [K in ServerMessageName]: { name: K; payload: ServerMessages[K] } }[ServerMessageName];

/** Validates a decoded frame as a server message (client side). */
export function parseServerMessage(frame: DecodedFrame): ParsedServerMessage {
  if (!isServerMessageName(frame.name)) {
    throw new ProtocolError('UNKNOWN_COMMAND', `unknown server message ${frame.name}`, frame.name);
  }
  const result = ServerMessageSchemas[frame.name].safeParse(frame.payload);
  if (!result.success) {
    throw new ProtocolError('INVALID_PAYLOAD', `${frame.name} ${describeIssue(result.error)}`, frame.name);
  }
  return { name: frame.name, payload: result.data } as ParsedServerMessage;
}

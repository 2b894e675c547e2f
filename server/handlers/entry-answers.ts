import { ProtocolError, encodeFrame, encodeSendMessageResponse, type EntryCommandName, type Message } from '../../src/protocol/index';
import type { EntryResult } from '../storage/message-writer';
import { errorResponse } from './errors';

/** The answer of each writing command (docs/PROTOCOL.md section 8). */
export const ANSWER_OF = {
  SendMessageCommand: 'SendMessageResponse',
  EditMessageCommand: 'EditMessageResponse',
  DeleteMessageCommand: 'DeleteMessageResponse',
  ReactCommand: 'ReactResponse',
  RenameConversationCommand: 'RenameConversationResponse',
  AddMembersCommand: 'AddMembersResponse',
  RemoveMemberCommand: 'RemoveMemberResponse',
} as const satisfies Record<EntryCommandName, string>;

/** The entry kind each writing command appends: a resend must find an entry of this kind, else CONFLICT. */
export const ENTRY_KIND_OF = {
  SendMessageCommand: 'message',
  EditMessageCommand: 'edit',
  DeleteMessageCommand: 'delete',
  ReactCommand: 'reaction',
  RenameConversationCommand: 'title',
  AddMembersCommand: 'members',
  RemoveMemberCommand: 'members',
} as const satisfies Record<EntryCommandName, string>;

/**
 * The frame that answers a writing command after its commit: its
 * `...Response` (SendMessageResponse keeps `message`; every other one
 * carries `entry`, and ReactResponse the `target` too), or its
 * ErrorResponse when the writer's rules refused it.
 */
export function encodeEntryAnswer(command: EntryCommandName, clientMessageId: string, r: EntryResult, requestId: string | undefined): string {
  if (r.error) return encodeFrame('ErrorResponse', errorResponse(new ProtocolError(r.error.code, r.error.message), command, requestId));
  const { entry, duplicate } = r;
  switch (command) {
    case 'SendMessageCommand':
      return encodeSendMessageResponse({ clientMessageId, message: entry as Message, duplicate, requestId });
    case 'ReactCommand':
      return encodeFrame('ReactResponse', withRequestId({ clientMessageId, entry, target: r.target!, duplicate }, requestId));
    default:
      return encodeFrame(ANSWER_OF[command], withRequestId({ clientMessageId, entry, duplicate }, requestId));
  }
}

function withRequestId<T extends object>(payload: T, requestId: string | undefined): T & { requestId?: string } {
  return requestId === undefined ? payload : { ...payload, requestId };
}

import {
  PRE_LOGIN_COMMANDS,
  ProtocolError,
  isClientCommandName,
  parseClientCommand,
  peekRequestId,
  type ClientCommandName,
  type DecodedFrame,
} from '../../src/protocol/index';
import type { Connection } from '../gateway/connection';
import { changePassword, updateProfile } from './account';
import { getSessions, revokeSessions } from './account-sessions';
import { answerContactRequest, blockUser, removeContact } from './contact-requests';
import { getContacts, addContact } from './contacts';
import { errorResponse } from './errors';
import type { Handler, HandlerTable, Services } from './context';
import { createConversation, getConversations } from './conversations';
import { deleteMessage, editMessage, react } from './entry-commands';
import { addMembers, removeMember, renameConversation } from './group-commands';
import { getMessages, sendMessage } from './messages';
import { ackMessages, getReceipts, markRead } from './receipts';
import { createAccount, login, logout, ping, register } from './session';
import { searchMessages } from './search';
import { revokeSession } from './session-state';
import { subscribe, unsubscribe } from './subscriptions';
import { typing } from './typing';

/** Short command name -> handler. Adding a command to src/protocol without a handler fails type-checking here. */
export const HANDLERS: HandlerTable = {
  ClientRegistrationCommand: register,
  AccountCreateCommand: createAccount,
  AccountLoginCommand: login,
  AccountLogoutCommand: logout,
  PingCommand: ping,
  SubscribeCommand: subscribe,
  UnsubscribeCommand: unsubscribe,
  GetContactsCommand: getContacts,
  GetConversationsCommand: getConversations,
  GetMessagesCommand: getMessages,
  GetReceiptsCommand: getReceipts,
  AddContactCommand: addContact,
  CreateConversationCommand: createConversation,
  SendMessageCommand: sendMessage,
  EditMessageCommand: editMessage,
  DeleteMessageCommand: deleteMessage,
  ReactCommand: react,
  RenameConversationCommand: renameConversation,
  AddMembersCommand: addMembers,
  RemoveMemberCommand: removeMember,
  AckMessagesCommand: ackMessages,
  MarkReadCommand: markRead,
  TypingCommand: typing,
  // ---- Account, sessions, contacts by consent (docs/PROTOCOL.md sections 11-13) ----
  UpdateProfileCommand: updateProfile,
  ChangePasswordCommand: changePassword,
  GetSessionsCommand: getSessions,
  RevokeSessionCommand: revokeSessions,
  AnswerContactRequestCommand: answerContactRequest,
  RemoveContactCommand: removeContact,
  BlockUserCommand: blockUser,
  SearchMessagesCommand: searchMessages,
};

/** Commands that change a socket's session; frames after one wait until it is done, so a pipelined subscribe follows its login. */
export const SESSION_COMMANDS: ReadonlySet<string> = new Set<ClientCommandName>([
  'ClientRegistrationCommand',
  'AccountLoginCommand',
  'AccountLogoutCommand',
]);

/**
 * Validates one decoded frame, applies the lifecycle rules (registered,
 * logged in, session not expired), runs its handler and sends the reply or
 * an ErrorResponse echoing the requestId. Never rejects: unexpected errors
 * are logged and answered with INTERNAL and a generic sentence.
 */
export async function dispatch(conn: Connection, frame: DecodedFrame, s: Services): Promise<void> {
  const requestId = peekRequestId(frame.payload);
  const label = isClientCommandName(frame.name) ? frame.name : 'unknown';
  // A client that stops reading while it asks for pages (up to MAX_REPLY_BYTES each) would have the
  // server hold them all; past the write cap every frame obeys it is closed (it reconnects and resyncs).
  if (conn.overWriteCap) {
    conn.closeTooSlow();
    return;
  }
  try {
    const command = parseClientCommand(frame);
    s.metrics.commands.inc({ command: command.name });
    if (!conn.registered && command.name !== 'ClientRegistrationCommand' && command.name !== 'PingCommand') {
      throw new ProtocolError('NOT_REGISTERED', `register with ClientRegistrationCommand before ${command.name}`);
    }
    if (!PRE_LOGIN_COMMANDS.has(command.name)) {
      if (!conn.session) throw new ProtocolError('NOT_AUTHENTICATED', `log in before ${command.name}`);
      if (s.sessions.isExpired(conn.session)) {
        revokeSession(conn.session, s);
        throw new ProtocolError('NOT_AUTHENTICATED', `your session expired; log in before ${command.name}`);
      }
      s.sessions.touch(conn.session);
    }
    // The table is keyed by the same name as the payload's type; TypeScript cannot correlate the two here.
    const handler = HANDLERS[command.name] as Handler<ClientCommandName>;
    const reply = await handler(conn, command.payload as never, s);
    if (reply?.encode) conn.sendText(reply.encode(requestId));
    else if (reply) conn.send(reply.name, requestId === undefined ? reply.payload : { ...reply.payload, requestId });
  } catch (error) {
    const payload = errorResponse(error, frame.name, requestId);
    s.metrics.errors.inc({ command: label, code: payload.code });
    if (!(error instanceof ProtocolError)) s.logger.error({ err: error, command: frame.name, conn: conn.id }, 'command failed');
    conn.send('ErrorResponse', payload);
  }
}

import type { ClientCommandName, ServerMessageName } from '../protocol';

/** The response each command is answered with (docs/PROTOCOL.md sections 2-4); TypingCommand has none. */
export const RESPONSE_OF = {
  ClientRegistrationCommand: 'ClientRegistrationResponse',
  AccountCreateCommand: 'AccountCreateResponse',
  AccountLoginCommand: 'AccountLoginResponse',
  AccountLogoutCommand: 'AccountLogoutResponse',
  PingCommand: 'PongResponse',
  SubscribeCommand: 'SubscribeResponse',
  UnsubscribeCommand: 'UnsubscribeResponse',
  GetContactsCommand: 'ContactsResponse',
  GetConversationsCommand: 'ConversationsResponse',
  GetMessagesCommand: 'MessagesResponse',
  GetReceiptsCommand: 'ReceiptsResponse',
  AddContactCommand: 'AddContactResponse',
  CreateConversationCommand: 'CreateConversationResponse',
  SendMessageCommand: 'SendMessageResponse',
  EditMessageCommand: 'EditMessageResponse',
  DeleteMessageCommand: 'DeleteMessageResponse',
  ReactCommand: 'ReactResponse',
  RenameConversationCommand: 'RenameConversationResponse',
  AddMembersCommand: 'AddMembersResponse',
  RemoveMemberCommand: 'RemoveMemberResponse',
  AckMessagesCommand: 'AckMessagesResponse',
  MarkReadCommand: 'MarkReadResponse',
  // ---- Account, sessions, contacts by consent (docs/PROTOCOL.md sections 11-12) ----
  UpdateProfileCommand: 'UpdateProfileResponse',
  ChangePasswordCommand: 'ChangePasswordResponse',
  GetSessionsCommand: 'SessionsResponse',
  RevokeSessionCommand: 'RevokeSessionResponse',
  AnswerContactRequestCommand: 'AnswerContactRequestResponse',
  RemoveContactCommand: 'RemoveContactResponse',
  BlockUserCommand: 'BlockUserResponse',
  SearchMessagesCommand: 'SearchMessagesResponse',
} as const satisfies Partial<Record<ClientCommandName, ServerMessageName>>;

export type RequestCommandName = keyof typeof RESPONSE_OF;
export type ResponseNameOf<C extends RequestCommandName> = (typeof RESPONSE_OF)[C];

import { z } from 'zod';
import { ContactSchema, ConversationSchema, EntrySchema, MemberPositionSchema, MessageSchema, SessionInfoSchema, UserSchema } from './entities';
import { ERROR_CODES, LOGIN_FAILURE_REASONS } from './errors';

/**
 * Payloads the server sends (`...Response` and `...Notification`). The server
 * builds them with these types; the client validates what arrives with these
 * schemas, so a malformed or hostile frame never reaches the store.
 */
const RequestId = z.string().optional();

/** The answer of a version-2 writing command (section 8): the entry it appended, or null when it changed nothing. */
function EntryAnswer() {
  return z.object({
    requestId: RequestId,
    clientMessageId: z.string(),
    entry: EntrySchema.nullable(),
    duplicate: z.boolean(),
  });
}

export const ServerMessageSchemas = {
  ClientRegistrationResponse: z.object({
    requestId: RequestId,
    clientId: z.string(),
    protocolVersion: z.literal(2),
    serverTime: z.number(),
    heartbeatIntervalMs: z.number().int().positive(),
    limits: z.object({ maxFrameBytes: z.number().int().positive(), maxBodyLength: z.number().int().positive() }),
  }),
  AccountCreateResponse: z.object({ requestId: RequestId, created: z.literal(true), user: UserSchema }),
  AccountLoginResponse: z.union([
    z.object({
      requestId: RequestId,
      loggedIn: z.literal(true),
      sessionToken: z.string(),
      user: UserSchema,
      expiresAt: z.number(),
    }),
    // A trusted login with `bindCookie`: no token in any frame, but a one-time code for POST /session/cookie (section 13).
    z.object({
      requestId: RequestId,
      loggedIn: z.literal(true),
      cookieCode: z.string(),
      user: UserSchema,
      expiresAt: z.number(),
    }),
    // A login with `{useCookie: true}`: the session is the cookie's, and its token stays out of every frame.
    z.object({
      requestId: RequestId,
      loggedIn: z.literal(true),
      viaCookie: z.literal(true),
      user: UserSchema,
      expiresAt: z.number(),
    }),
    z.object({
      requestId: RequestId,
      loggedIn: z.literal(false),
      reason: z.enum(LOGIN_FAILURE_REASONS),
      /** With THROTTLED: how long to wait before the same attempt is tried, in ms. */
      retryAfterMs: z.number().int().positive().optional(),
    }),
  ]),
  AccountLogoutResponse: z.object({ requestId: RequestId, loggedOut: z.literal(true) }),
  SessionRevokedNotification: z.object({}),
  PongResponse: z.object({ requestId: RequestId, t: z.number().optional(), serverTime: z.number() }),
  SubscribeResponse: z.object({ requestId: RequestId, resource: z.string(), version: z.number() }),
  UnsubscribeResponse: z.object({ requestId: RequestId, resource: z.string() }),
  ResourceChangedNotification: z.object({
    resource: z.string(),
    version: z.number(),
    ids: z.array(z.string()),
    items: z.record(z.string(), z.unknown()).optional(),
  }),
  // A list reply is one page: `hasMore` (absent from servers that do not page: false) says ask again with `afterId: lastId`.
  ContactsResponse: z.object({
    requestId: RequestId,
    contacts: z.record(z.string(), ContactSchema),
    version: z.number(),
    hasMore: z.boolean().optional(),
    lastId: z.string().optional(),
  }),
  ConversationsResponse: z.object({
    requestId: RequestId,
    conversations: z.record(z.string(), ConversationSchema),
    version: z.number(),
    hasMore: z.boolean().optional(),
    lastId: z.string().optional(),
  }),
  MessagesResponse: z.object({
    requestId: RequestId,
    conversationId: z.string(),
    // Entries of every kind (section 7), keyed by id; messages as they are now.
    messages: z.record(z.string(), EntrySchema),
    latestSeq: z.number(),
    hasMore: z.boolean(),
  }),
  ReceiptsResponse: z.object({
    requestId: RequestId,
    conversationId: z.string(),
    members: z.record(z.string(), MemberPositionSchema),
  }),
  AddContactResponse: z.object({ requestId: RequestId, contact: ContactSchema }),
  CreateConversationResponse: z.object({ requestId: RequestId, conversation: ConversationSchema }),
  SendMessageResponse: z.object({
    requestId: RequestId,
    clientMessageId: z.string(),
    message: MessageSchema,
    duplicate: z.boolean(),
  }),
  EditMessageResponse: EntryAnswer(),
  DeleteMessageResponse: EntryAnswer(),
  // `entry` null: the reaction changed nothing (already on, or already off); `target` is the message now.
  ReactResponse: z.object({
    requestId: RequestId,
    clientMessageId: z.string(),
    entry: EntrySchema.nullable(),
    target: MessageSchema,
    duplicate: z.boolean(),
  }),
  // `entry` null: nothing changed (the same title; only people already in).
  RenameConversationResponse: EntryAnswer(),
  AddMembersResponse: EntryAnswer(),
  RemoveMemberResponse: EntryAnswer(),
  AckMessagesResponse: z.object({ requestId: RequestId, conversationId: z.string(), seq: z.number() }),
  MarkReadResponse: z.object({ requestId: RequestId, conversationId: z.string(), seq: z.number() }),
  TypingNotification: z.object({ conversationId: z.string(), userId: z.string(), typing: z.boolean() }),

  // ---- Account, sessions, contacts by consent (docs/PROTOCOL.md sections 11-13) ----
  UpdateProfileResponse: z.object({ requestId: RequestId, user: UserSchema }),
  /** To the user's other sockets when their profile changed. */
  ProfileChangedNotification: z.object({ user: UserSchema }),
  ChangePasswordResponse: z.object({ requestId: RequestId, changed: z.literal(true) }),
  SessionsResponse: z.object({ requestId: RequestId, sessions: z.array(SessionInfoSchema) }),
  /** `count`: how many sessions ended (with `others: true` possibly 0). */
  RevokeSessionResponse: z.object({ requestId: RequestId, revoked: z.literal(true), count: z.number().int().nonnegative() }),
  /** `contact` is the accepted contact, or null after a decline. */
  AnswerContactRequestResponse: z.object({ requestId: RequestId, contact: ContactSchema.nullable() }),
  RemoveContactResponse: z.object({ requestId: RequestId, userId: z.string() }),
  BlockUserResponse: z.object({ requestId: RequestId, userId: z.string(), blocked: z.boolean() }),

  // Search (section 10): messages as they are now, newest first. `nextBeforeSeq` (with conversationId, when
  // hasMore) is where the next page starts: the server may stop early after examining its most candidates.
  SearchMessagesResponse: z.object({
    requestId: RequestId,
    query: z.string(),
    messages: z.array(MessageSchema),
    hasMore: z.boolean(),
    nextBeforeSeq: z.number().optional(),
  }),
  ErrorResponse: z.object({
    requestId: RequestId,
    code: z.enum(ERROR_CODES),
    message: z.string(),
    command: z.string().optional(),
  }),
} as const;

export type ServerMessageName = keyof typeof ServerMessageSchemas;
export type ServerMessages = { [K in ServerMessageName]: z.output<(typeof ServerMessageSchemas)[K]> };

export function isServerMessageName(name: string): name is ServerMessageName {
  return Object.prototype.hasOwnProperty.call(ServerMessageSchemas, name);
}

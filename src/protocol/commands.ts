import { z } from 'zod';
import { IdSchema } from './entities';
import { DEFAULT_LIMITS, bodyLength } from './limits';
import { emojiProblem } from './emoji';
import { displayName, text } from './strings';
import { MAX_SEARCH_QUERY_LENGTH, SEARCH_PAGE_MAX, queryWords } from './search';

/**
 * Payloads the client sends (`...Command`), validated by the server with these
 * schemas and typed for the client by the same ones. Unknown keys are dropped,
 * not rejected, so that an older server accepts a newer client's extras.
 * Every string is a `text()`: well-formed, or refused naming its field.
 */
const RequestId = text().min(1).max(64).optional();
const Seq = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** 3-32 chars of [a-z0-9_.-], compared case-folded. */
export const UsernameSchema = text()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9_.-]{3,32}$/, 'username must be 3-32 characters of a-z, 0-9, "_", "." or "-"');
export const PasswordSchema = text()
  .min(8, 'password must be at least 8 characters')
  .max(256, 'password must be at most 256 characters');
export const DisplayNameSchema = displayName();
export const ClientMessageIdSchema = text().min(1).max(64);
export const BodySchema = text()
  .refine((s) => bodyLength(s) >= 1, 'body must not be empty')
  .refine((s) => bodyLength(s) <= DEFAULT_LIMITS.maxBodyLength, `body must be at most ${DEFAULT_LIMITS.maxBodyLength} characters`);
/** A message's body when it may be empty because attachments carry the message (section 7). */
const OptionalBodySchema = text().refine(
  (s) => bodyLength(s) <= DEFAULT_LIMITS.maxBodyLength,
  `body must be at most ${DEFAULT_LIMITS.maxBodyLength} characters`,
);
/** 1-100 code points after trimming: a group's title (RenameConversationCommand). */
export const TitleSchema = text()
  .trim()
  .refine((s) => bodyLength(s) >= 1, 'title must not be empty')
  .refine((s) => bodyLength(s) <= 100, 'title must be at most 100 characters');
export const EmojiSchema = text().check((ctx) => {
  const problem = emojiProblem(ctx.value);
  if (problem) ctx.issues.push({ code: 'custom', input: ctx.value, message: problem });
});
/** Most message ids one GetMessagesCommand may ask for. */
export const MAX_MESSAGE_IDS = 100;
/** Most attachments one message may carry (section 9). */
export const MAX_ATTACHMENTS = 10;
export const ResourceSchema = text().min(1).max(80);
const IdList = z.array(IdSchema).max(1000);

export const ClientCommandSchemas = {
  ClientRegistrationCommand: z.object({
    requestId: RequestId,
    clientInformation: z.object({
      clientMedium: text().min(1).max(32),
      clientVersion: text().max(64).optional(),
      clientId: text().min(1).max(64).optional(),
    }),
  }),
  AccountCreateCommand: z.object({
    requestId: RequestId,
    userInformation: z.object({
      username: UsernameSchema,
      password: PasswordSchema,
      displayName: DisplayNameSchema.optional(),
    }),
  }),
  AccountLoginCommand: z.object({
    requestId: RequestId,
    userInformation: z.union([
      z.object({ sessionToken: text().min(1).max(128) }),
      // Login by password does not re-check the sign-up rules: a malformed
      // username simply fails as BAD_CREDENTIALS, telling nothing about accounts.
      z.object({ username: text().min(1).max(64), password: text().min(1).max(256) }),
      // A browser whose session is bound to the HttpOnly cookie: the token comes from the upgrade's Cookie header, never from a frame.
      z.object({ useCookie: z.literal(true) }),
    ]),
    publicComputer: z.boolean().optional(),
    // With a password login of a trusted session: answer a one-time `cookieCode` instead of the token (docs/PROTOCOL.md section 13).
    bindCookie: z.boolean().optional(),
  }),
  AccountLogoutCommand: z.object({ requestId: RequestId }),
  PingCommand: z.object({ requestId: RequestId, t: z.number().optional() }),
  SubscribeCommand: z.object({ requestId: RequestId, resource: ResourceSchema }),
  UnsubscribeCommand: z.object({ requestId: RequestId, resource: ResourceSchema }),
  // Lists come in pages of id order: `afterId` is the previous page's `lastId`.
  GetContactsCommand: z.object({ requestId: RequestId, ids: IdList.optional(), afterId: IdSchema.optional() }),
  GetConversationsCommand: z.object({ requestId: RequestId, ids: IdList.optional(), afterId: IdSchema.optional() }),
  GetMessagesCommand: z
    .object({
      requestId: RequestId,
      conversationId: IdSchema,
      afterSeq: Seq.optional(),
      beforeSeq: Seq.optional(),
      limit: z.number().int().min(1).max(DEFAULT_LIMITS.messagesPageMax).optional(),
      // Version 2: those entries, as they are now, that the caller may see (others are left out).
      ids: z.array(IdSchema).min(1).max(MAX_MESSAGE_IDS, `ids must hold at most ${MAX_MESSAGE_IDS} message ids`).optional(),
    })
    .refine((c) => c.ids === undefined || (c.afterSeq === undefined && c.beforeSeq === undefined), {
      message: 'ids cannot be combined with afterSeq or beforeSeq',
      path: ['ids'],
    }),
  GetReceiptsCommand: z.object({ requestId: RequestId, conversationId: IdSchema }),
  AddContactCommand: z.object({ requestId: RequestId, username: text().trim().toLowerCase().min(1).max(64) }),
  CreateConversationCommand: z.object({
    requestId: RequestId,
    memberIds: z.array(IdSchema).min(1).max(1000),
    title: text().trim().max(100).optional(),
  }),
  SendMessageCommand: z
    .object({
      requestId: RequestId,
      conversationId: IdSchema,
      clientMessageId: ClientMessageIdSchema,
      body: OptionalBodySchema,
      replyTo: IdSchema.nullable().optional(),
      attachments: z.array(IdSchema).max(MAX_ATTACHMENTS, `attachments must hold at most ${MAX_ATTACHMENTS} ids`).optional(),
    })
    .refine((c) => bodyLength(c.body) >= 1 || (c.attachments?.length ?? 0) > 0, {
      message: 'body must not be empty (it may be only when the message carries attachments)',
      path: ['body'],
    }),
  // Version 2 (section 8): each appends one entry; idempotent by (sender, clientMessageId) like SendMessageCommand.
  EditMessageCommand: z.object({
    requestId: RequestId,
    conversationId: IdSchema,
    clientMessageId: ClientMessageIdSchema,
    targetId: IdSchema,
    body: BodySchema,
  }),
  DeleteMessageCommand: z.object({
    requestId: RequestId,
    conversationId: IdSchema,
    clientMessageId: ClientMessageIdSchema,
    targetId: IdSchema,
  }),
  ReactCommand: z.object({
    requestId: RequestId,
    conversationId: IdSchema,
    clientMessageId: ClientMessageIdSchema,
    targetId: IdSchema,
    emoji: EmojiSchema,
    on: z.boolean(),
  }),
  RenameConversationCommand: z.object({
    requestId: RequestId,
    conversationId: IdSchema,
    clientMessageId: ClientMessageIdSchema,
    title: TitleSchema,
  }),
  AddMembersCommand: z.object({
    requestId: RequestId,
    conversationId: IdSchema,
    clientMessageId: ClientMessageIdSchema,
    memberIds: z.array(IdSchema).min(1).max(1000),
  }),
  RemoveMemberCommand: z.object({
    requestId: RequestId,
    conversationId: IdSchema,
    clientMessageId: ClientMessageIdSchema,
    memberId: IdSchema,
  }),
  AckMessagesCommand: z.object({ requestId: RequestId, conversationId: IdSchema, seq: Seq }),
  MarkReadCommand: z.object({ requestId: RequestId, conversationId: IdSchema, seq: Seq }),
  TypingCommand: z.object({ requestId: RequestId, conversationId: IdSchema, typing: z.boolean() }),

  // ---- Account, sessions, contacts by consent (docs/PROTOCOL.md sections 11-13) ----
  UpdateProfileCommand: z.object({ requestId: RequestId, displayName: DisplayNameSchema }),
  ChangePasswordCommand: z.object({
    requestId: RequestId,
    // The current password is checked, not re-validated: a wrong one of any shape is FORBIDDEN.
    currentPassword: text().min(1).max(256),
    newPassword: PasswordSchema,
  }),
  GetSessionsCommand: z.object({ requestId: RequestId }),
  RevokeSessionCommand: z.union([
    // A malformed session id is answered NOT_FOUND like an unknown one, so only the length is bounded here.
    z.object({ requestId: RequestId, sessionId: text().min(1).max(64) }),
    z.object({ requestId: RequestId, others: z.literal(true) }),
  ]),
  AnswerContactRequestCommand: z.object({ requestId: RequestId, userId: IdSchema, accept: z.boolean() }),
  RemoveContactCommand: z.object({ requestId: RequestId, userId: IdSchema }),
  BlockUserCommand: z.object({ requestId: RequestId, userId: IdSchema, blocked: z.boolean() }),
  // Search (section 10): by word prefix over the messages the caller may see; beforeSeq only within one conversation.
  SearchMessagesCommand: z
    .object({
      requestId: RequestId,
      query: text()
        .refine((s) => bodyLength(s) >= 1, 'query must not be empty')
        .refine((s) => bodyLength(s) <= MAX_SEARCH_QUERY_LENGTH, `query must be at most ${MAX_SEARCH_QUERY_LENGTH} characters`)
        .refine((s) => queryWords(s).length > 0, 'query must hold at least one letter or digit'),
      conversationId: IdSchema.optional(),
      beforeSeq: Seq.optional(),
      limit: z.number().int().min(1).max(SEARCH_PAGE_MAX, `limit must be at most ${SEARCH_PAGE_MAX}`).optional(),
    })
    .refine((c) => c.beforeSeq === undefined || c.conversationId !== undefined, {
      message: 'beforeSeq pages within one conversation: it needs conversationId',
      path: ['beforeSeq'],
    }),
} as const;

export type ClientCommandName = keyof typeof ClientCommandSchemas;
/** The payload of each client command after validation (usernames folded, etc.). */
export type ClientCommands = { [K in ClientCommandName]: z.output<(typeof ClientCommandSchemas)[K]> };
/** What a client may put on the wire for each command. */
export type ClientCommandInputs = { [K in ClientCommandName]: z.input<(typeof ClientCommandSchemas)[K]> };

/** Commands that append an entry to a conversation's log (section 8): the outbox queues them, in order, offline or not. */
export const ENTRY_COMMANDS = [
  'SendMessageCommand',
  'EditMessageCommand',
  'DeleteMessageCommand',
  'ReactCommand',
  'RenameConversationCommand',
  'AddMembersCommand',
  'RemoveMemberCommand',
] as const satisfies readonly ClientCommandName[];
export type EntryCommandName = (typeof ENTRY_COMMANDS)[number];

export function isClientCommandName(name: string): name is ClientCommandName {
  return Object.prototype.hasOwnProperty.call(ClientCommandSchemas, name);
}

/** Commands accepted before login (docs/PROTOCOL.md section 2, rule 5). */
export const PRE_LOGIN_COMMANDS: ReadonlySet<ClientCommandName> = new Set([
  'ClientRegistrationCommand',
  'AccountCreateCommand',
  'AccountLoginCommand',
  'PingCommand',
]);

import { z } from 'zod';
import { text } from './strings';

/**
 * The resources' items as they travel on the wire (docs/PROTOCOL.md section 3).
 * Ids are opaque strings made by the server; times are milliseconds since the
 * Unix epoch.
 */
export const IdSchema = text().min(1).max(64);

export const UserSchema = z.object({
  id: IdSchema,
  username: z.string(),
  displayName: z.string(),
});
export type User = z.infer<typeof UserSchema>;

export const ContactSchema = z.object({
  id: IdSchema,
  username: z.string(),
  displayName: z.string(),
  online: z.boolean(),
  lastSeenAt: z.number().nullable(),
});
export type Contact = z.infer<typeof ContactSchema>;

/** One member's receipt positions in a conversation: seqs only ever move forward. */
export const MemberPositionSchema = z.object({
  deliveredSeq: z.number().int().nonnegative(),
  readSeq: z.number().int().nonnegative(),
});
export type MemberPosition = z.infer<typeof MemberPositionSchema>;

/** What a `conversations` entry says of each member (section 7a): the first seq they may see. */
export const MemberInfoSchema = z.object({
  joinedSeq: z.number().int().positive(),
});
export type MemberInfo = z.infer<typeof MemberInfoSchema>;

/**
 * A conversation as its caller sees it (sections 3, 7a, 8). Per member only
 * `joinedSeq`; the caller's own receipt positions are `myDeliveredSeq` and
 * `myReadSeq`, the others' are summarized as the lowest over them
 * (`deliveredToAllSeq`, `readByAllSeq`). Everyone's positions are the
 * `receipts:<id>` resource. `ownerId` is null for a direct conversation and
 * for a group nobody is left in. A member who was removed receives the
 * entry once more without themself in `memberIds`.
 */
export const ConversationSchema = z.object({
  id: IdSchema,
  kind: z.enum(['direct', 'group']),
  title: z.string(),
  ownerId: IdSchema.nullable(),
  memberIds: z.array(IdSchema),
  latestSeq: z.number().int().nonnegative(),
  updatedAt: z.number(),
  members: z.record(z.string(), MemberInfoSchema),
  myDeliveredSeq: z.number().int().nonnegative(),
  myReadSeq: z.number().int().nonnegative(),
  deliveredToAllSeq: z.number().int().nonnegative(),
  readByAllSeq: z.number().int().nonnegative(),
});
export type Conversation = z.infer<typeof ConversationSchema>;

/**
 * An item of a `conversations` notification that carries only some of an
 * entry's fields, those that moved (section 7a): a message moves every
 * member's `latestSeq` and `updatedAt`, a receipt its author's own
 * positions and some members' summaries. Everything else of the entry,
 * `members` and `memberIds` above all (O(members) bytes), is as the last
 * full entry said. It has no `memberIds`, which every full entry has: that
 * is how a client tells the two apart. A client that holds no full entry of
 * this id fetches it (`GetConversationsCommand {ids}`).
 */
export const ConversationPatchSchema = ConversationSchema.pick({
  latestSeq: true,
  updatedAt: true,
  myDeliveredSeq: true,
  myReadSeq: true,
  deliveredToAllSeq: true,
  readByAllSeq: true,
})
  .partial()
  .extend({ id: IdSchema });
export type ConversationPatch = z.infer<typeof ConversationPatchSchema>;

/** A stored file a message carries (section 9). */
export const AttachmentSchema = z.object({
  id: IdSchema,
  name: z.string(),
  size: z.number().int().nonnegative(),
  mime: z.string(),
  sha256: z.string(),
  url: z.string(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  thumbnailUrl: z.string().optional(),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

/** `{<emoji>: [userId, ...]}`: who reacted with what; an emoji nobody uses any more is absent. */
export const ReactionsSchema = z.record(z.string(), z.array(IdSchema));
export type Reactions = z.infer<typeof ReactionsSchema>;

/** The kinds of entry a conversation's log holds (section 7). */
export const ENTRY_KINDS = ['message', 'edit', 'delete', 'reaction', 'members', 'title'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

const entryBase = {
  id: IdSchema,
  conversationId: IdSchema,
  seq: z.number().int().positive(),
  senderId: IdSchema,
  clientMessageId: z.string().min(1).max(64),
  sentAt: z.number(),
};

/**
 * A message, always as it is now: current body, reactions and deletion.
 * `revision` is the seq of the last entry that changed it (its own seq at
 * first); of two copies of one message a client keeps the higher revision.
 * A deleted message keeps its place with empty body, attachments and
 * reactions: its content is gone from the server.
 */
export const MessageSchema = z.object({
  ...entryBase,
  kind: z.literal('message'),
  body: z.string(),
  replyTo: IdSchema.nullable(),
  attachments: z.array(AttachmentSchema).max(10),
  reactions: ReactionsSchema,
  editedAt: z.number().nullable(),
  deletedAt: z.number().nullable(),
  revision: z.number().int().positive(),
});
export type Message = z.infer<typeof MessageSchema>;

/** An edit, deletion or reaction: `target` is the message as the server has it now (never an older text). */
export const EditEntrySchema = z.object({ ...entryBase, kind: z.literal('edit'), targetId: IdSchema, target: MessageSchema });
export const DeleteEntrySchema = z.object({ ...entryBase, kind: z.literal('delete'), targetId: IdSchema, target: MessageSchema });
export const ReactionEntrySchema = z.object({
  ...entryBase,
  kind: z.literal('reaction'),
  targetId: IdSchema,
  target: MessageSchema,
  emoji: z.string(),
  on: z.boolean(),
});
export const MembersEntrySchema = z.object({
  ...entryBase,
  kind: z.literal('members'),
  added: z.array(IdSchema),
  removed: z.array(IdSchema),
});
export const TitleEntrySchema = z.object({ ...entryBase, kind: z.literal('title'), title: z.string() });

export const EntrySchema = z.discriminatedUnion('kind', [
  MessageSchema,
  EditEntrySchema,
  DeleteEntrySchema,
  ReactionEntrySchema,
  MembersEntrySchema,
  TitleEntrySchema,
]);
export type Entry = z.infer<typeof EntrySchema>;
export type EditEntry = z.infer<typeof EditEntrySchema>;
export type DeleteEntry = z.infer<typeof DeleteEntrySchema>;
export type ReactionEntry = z.infer<typeof ReactionEntrySchema>;
export type MembersEntry = z.infer<typeof MembersEntrySchema>;
export type TitleEntry = z.infer<typeof TitleEntrySchema>;
/** Entries that change a message (and carry it as `target`). */
export type MessageChangeEntry = EditEntry | DeleteEntry | ReactionEntry;

export function isMessageChange(entry: Entry): entry is MessageChangeEntry {
  return entry.kind === 'edit' || entry.kind === 'delete' || entry.kind === 'reaction';
}

/** Resource names: `contacts`, `conversations`, `messages:<conversationId>`, `receipts:<conversationId>`. */
export type ResourceName = 'contacts' | 'conversations' | `messages:${string}` | `receipts:${string}`;

export type ParsedResource =
  | { kind: 'contacts' }
  | { kind: 'conversations' }
  | { kind: 'messages'; conversationId: string }
  | { kind: 'receipts'; conversationId: string };

/** Splits a resource name into its kind, or returns null for a name that is no resource. */
export function parseResource(resource: string): ParsedResource | null {
  if (resource === 'contacts') return { kind: 'contacts' };
  if (resource === 'conversations') return { kind: 'conversations' };
  for (const kind of ['messages', 'receipts'] as const) {
    if (resource.startsWith(`${kind}:`)) {
      const conversationId = resource.slice(kind.length + 1);
      if (IdSchema.safeParse(conversationId).success) return { kind, conversationId };
    }
  }
  return null;
}

export function messagesResource(conversationId: string): ResourceName {
  return `messages:${conversationId}`;
}

export function receiptsResource(conversationId: string): ResourceName {
  return `receipts:${conversationId}`;
}

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
  /**
   * Where the two stand (docs/PROTOCOL.md section 12): `accepted` contacts,
   * `outgoing` (the caller asked), `incoming` (they asked the caller), or
   * `none` for someone the caller blocked who is none of these. Absent from
   * servers before contact requests: read as `accepted`.
   */
  state: z.enum(['accepted', 'outgoing', 'incoming', 'none']).optional(),
  /** True when the caller has blocked this user. Absent: false. */
  blocked: z.boolean().optional(),
});
export type Contact = z.infer<typeof ContactSchema>;

export const CONTACT_STATES = ['accepted', 'outgoing', 'incoming', 'none'] as const;
export type ContactState = (typeof CONTACT_STATES)[number];

/** One of the caller's live sessions, as `GetSessionsCommand` lists them (docs/PROTOCOL.md section 11). */
export const SessionInfoSchema = z.object({
  /** Opaque and stable for the session's life; useless for logging in. */
  id: IdSchema,
  /** The session this socket is logged in with. */
  current: z.boolean(),
  publicComputer: z.boolean(),
  createdAt: z.number(),
  lastUsedAt: z.number(),
  /** A short description of the browser and system, e.g. "Chromium on Linux". */
  client: z.string(),
});
export type SessionInfo = z.infer<typeof SessionInfoSchema>;

/** One member's receipt positions in a conversation: seqs only ever move forward. */
export const MemberPositionSchema = z.object({
  deliveredSeq: z.number().int().nonnegative(),
  readSeq: z.number().int().nonnegative(),
});
export type MemberPosition = z.infer<typeof MemberPositionSchema>;

export const ConversationSchema = z.object({
  id: IdSchema,
  kind: z.enum(['direct', 'group']),
  title: z.string(),
  memberIds: z.array(IdSchema),
  latestSeq: z.number().int().nonnegative(),
  updatedAt: z.number(),
  members: z.record(z.string(), MemberPositionSchema),
});
export type Conversation = z.infer<typeof ConversationSchema>;

export const MessageSchema = z.object({
  id: IdSchema,
  conversationId: IdSchema,
  seq: z.number().int().positive(),
  senderId: IdSchema,
  clientMessageId: z.string().min(1).max(64),
  body: z.string(),
  sentAt: z.number(),
});
export type Message = z.infer<typeof MessageSchema>;

/** Resource names: `contacts`, `conversations`, `messages:<conversationId>`. */
export type ResourceName = 'contacts' | 'conversations' | `messages:${string}`;

export type ParsedResource =
  | { kind: 'contacts' }
  | { kind: 'conversations' }
  | { kind: 'messages'; conversationId: string };

/** Splits a resource name into its kind, or returns null for a name that is no resource. */
export function parseResource(resource: string): ParsedResource | null {
  if (resource === 'contacts') return { kind: 'contacts' };
  if (resource === 'conversations') return { kind: 'conversations' };
  if (resource.startsWith('messages:')) {
    const conversationId = resource.slice('messages:'.length);
    if (IdSchema.safeParse(conversationId).success) return { kind: 'messages', conversationId };
  }
  return null;
}

export function messagesResource(conversationId: string): ResourceName {
  return `messages:${conversationId}`;
}

import type { ErrorCode, Contact, Conversation, MembersEntry, Message, TitleEntry, User } from '../protocol';
import type { SchemaName } from './schemas';

/** The signed-in session; one record with id `current`. Persisted only in trusted mode. */
export interface SessionRecord {
  id: 'current';
  user: User;
  sessionToken: string | null;
  publicComputer: boolean;
  expiresAt: number;
}

/** Why the server refused a change, and the sentence the person reads on its message. */
export interface ChangeError {
  code: ErrorCode;
  message: string;
}

/** The kinds of change the outbox carries, one per writing command of the protocol (section 8). */
export const OUTBOX_KINDS = ['send', 'edit', 'delete', 'react', 'rename', 'addMembers', 'removeMember'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

interface OutboxBase {
  /** The clientMessageId: made when the person acted, kept until the server answers. */
  id: string;
  clientMessageId: string;
  conversationId: string;
  senderId: string;
  /** When the person acted (ms epoch); also orders the outbox. */
  createdAt: number;
  /** Tie-breaker for entries written in the same millisecond. */
  order: number;
  state: 'pending' | 'failed';
  error?: ChangeError;
  /**
   * Set when the entry first goes on the wire: from then on the server may
   * have stored it, so later changes are queued behind it instead of being
   * merged into it (an edit of a send on the wire becomes an edit command).
   */
  attempted?: boolean;
}

/** A message written here (SendMessageCommand). */
export interface OutboxSend extends OutboxBase {
  kind: 'send';
  body: string;
  replyTo: string | null;
}
/**
 * A change to one message. `targetId` is the message's server id, or
 * `local:<clientMessageId>` for a message of mine still in the outbox
 * (resolved to its id when the send is answered, which happens first:
 * a conversation's entries go out one at a time, in order).
 */
export interface OutboxEdit extends OutboxBase {
  kind: 'edit';
  targetId: string;
  body: string;
}
export interface OutboxDelete extends OutboxBase {
  kind: 'delete';
  targetId: string;
}
export interface OutboxReact extends OutboxBase {
  kind: 'react';
  targetId: string;
  emoji: string;
  on: boolean;
}
export interface OutboxRename extends OutboxBase {
  kind: 'rename';
  title: string;
}
export interface OutboxAddMembers extends OutboxBase {
  kind: 'addMembers';
  memberIds: string[];
}
export interface OutboxRemoveMember extends OutboxBase {
  kind: 'removeMember';
  memberId: string;
}

/** One change made here and not yet answered by the server (id = clientMessageId). */
export type OutboxEntry = OutboxSend | OutboxEdit | OutboxDelete | OutboxReact | OutboxRename | OutboxAddMembers | OutboxRemoveMember;
/** The outbox entries that change a message rather than add a row. */
export type OutboxMessageChange = OutboxEdit | OutboxDelete | OutboxReact;

export function isMessageChangeEntry(entry: OutboxEntry): entry is OutboxMessageChange {
  return entry.kind === 'edit' || entry.kind === 'delete' || entry.kind === 'react';
}

/**
 * What the store keeps of an edit, deletion or reaction: its place in the
 * log and what it did, without `target`. The target is applied to the
 * stored message instead, so the change's copy of it can never bring back
 * a text that a later deletion erased.
 */
export interface ChangeMark {
  id: string;
  conversationId: string;
  seq: number;
  senderId: string;
  clientMessageId: string;
  sentAt: number;
  kind: 'edit' | 'delete' | 'reaction';
  targetId: string;
  emoji?: string;
  on?: boolean;
}

/** One stored log entry: a message (as it is now), a system line (members, title), or a change's mark. */
export type StoredEntry = Message | MembersEntry | TitleEntry | ChangeMark;

/** What the person has written in a conversation and not sent (id = conversationId); kept like the contacts. */
export interface DraftRecord {
  id: string;
  body: string;
  /** When it was last saved (ms epoch). */
  updatedAt: number;
}

/**
 * What the store holds of one conversation's history: every entry (of every
 * kind) with oldestSeq <= seq <= syncedSeq. syncedSeq is the "highest
 * contiguous seq stored" that reconnect catch-up starts from.
 */
export interface SyncPosition {
  id: string;
  syncedSeq: number;
  oldestSeq: number;
}

export interface SchemaRecords {
  session: SessionRecord;
  contacts: Contact;
  conversations: Conversation;
  messages: StoredEntry;
  outbox: OutboxEntry;
  meta: SyncPosition;
  drafts: DraftRecord;
}

export type StoreRecord<S extends SchemaName> = SchemaRecords[S];

import type { ErrorCode, Contact, Conversation, Message, User } from '../protocol';
import type { SchemaName } from './schemas';

/**
 * The signed-in session; one record with id `current`. Persisted only in
 * trusted mode. A browser's trusted session keeps no token at all: the
 * server holds it in the HttpOnly cookie (`cookieBound`), and the record
 * keeps only who is signed in, so a cold start shows everything without it.
 * The token is kept by a public-computer session (memory only) and by
 * clients that have no cookie (tests, programs).
 */
export interface SessionRecord {
  id: 'current';
  user: User;
  sessionToken: string | null;
  /** True once the browser holds the session cookie: every login of this session is `{useCookie: true}`. */
  cookieBound?: boolean;
  publicComputer: boolean;
  expiresAt: number;
}

/** Whether a stored session can be resumed without the password: by its token or by the cookie. */
export function canResume(session: SessionRecord | undefined): boolean {
  return Boolean(session?.sessionToken) || session?.cookieBound === true;
}

/** One message written here and not yet acknowledged by the server (id = clientMessageId). */
export interface OutboxEntry {
  id: string;
  clientMessageId: string;
  conversationId: string;
  senderId: string;
  body: string;
  /** When the person pressed send (ms epoch); also orders the outbox. */
  createdAt: number;
  /** Tie-breaker for entries written in the same millisecond. */
  order: number;
  state: 'pending' | 'failed';
  error?: { code: ErrorCode; message: string };
}

/** What the person has written in a conversation and not sent (id = conversationId); kept like the contacts. */
export interface DraftRecord {
  id: string;
  body: string;
  /** When it was last saved (ms epoch). */
  updatedAt: number;
}

/**
 * What the store holds of one conversation's history: every message with
 * oldestSeq <= seq <= syncedSeq. syncedSeq is the "highest contiguous seq
 * stored" that reconnect catch-up starts from.
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
  messages: Message;
  outbox: OutboxEntry;
  meta: SyncPosition;
  drafts: DraftRecord;
}

export type StoreRecord<S extends SchemaName> = SchemaRecords[S];

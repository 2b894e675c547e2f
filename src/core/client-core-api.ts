/**
 * The contract between the client core (dispatch, communicator, store,
 * controllers, models) and the views. `createClientCore()` in
 * `create-client-core.ts` builds one of these; `src/main.ts` hands it to the
 * views. Views never see the socket: they read collections, call these
 * actions, and listen to the events named in `ClientEvents`.
 */
import type { Contact, Conversation, Message, User, LoginFailureReason, ErrorCode } from '../protocol';

export type ConnectionState = 'connecting' | 'online' | 'offline';

/** Payload of `connection:state`. `nextAttemptAt` (ms epoch) is set while a reconnect is scheduled. */
export interface ConnectionStatus {
  state: ConnectionState;
  nextAttemptAt?: number;
  attempt?: number;
}

/** What a person sees next to their own message. Others' messages are always 'sent'. */
export type MessageState = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

/** A message as the views read it: the wire message, or a local echo not yet acknowledged (seq null). */
export interface MessageView extends Omit<Message, 'id' | 'seq'> {
  id: string;
  seq: number | null;
  state: MessageState;
  /** Set when state is 'failed': why the server refused it. */
  error?: { code: ErrorCode; message: string };
}

/** Why a session ended, for the login form's message. */
export type SessionEndReason = 'logout' | 'revoked' | 'expired' | 'idle';

/** Every bus event the views may listen to, with its payload. */
export interface ClientEvents {
  'connection:state': ConnectionStatus;
  'session:ready': { user: User; publicComputer: boolean };
  'session:ended': { reason: SessionEndReason };
  'login:failed': { reason: LoginFailureReason | 'UNREACHABLE' };
  'typing:change': { conversationId: string; userIds: string[] };
  /** The store dropped old history to make room for the outbox (quota). */
  'store:evicted': { messages: number };
  /** A command the person started was refused; views may show it. */
  'action:error': { action: string; code: ErrorCode; message: string };
}

export interface LoginActions {
  login(input: { username: string; password: string; publicComputer: boolean }): void;
  /** Creates the account, then logs in with it (trusted mode unless publicComputer). */
  signup(input: { username: string; password: string; displayName?: string; publicComputer: boolean }): Promise<void>;
  /** Revokes the token and wipes the device; `reason` (default 'logout') is announced in `session:ended`. */
  logout(reason?: Extract<SessionEndReason, 'logout' | 'idle' | 'revoked'>): Promise<void>;
  /** The signed-in user, or null. */
  currentUser(): User | null;
  isPublicComputer(): boolean;
  /** True when a stored session exists, so the app shows the chat (from the cache) instead of the login form. */
  hasStoredSession(): boolean;
}

export interface OutboxActions {
  /** Local echo at once, then sent (now or when back online). Returns the new message. */
  send(conversationId: string, body: string): MessageView;
  retry(clientMessageId: string): void;
  /** How many messages are not yet acknowledged. */
  pendingCount(): number;
}

export interface DirectoryActions {
  addContact(username: string): Promise<Contact>;
  createConversation(memberIds: string[], title?: string): Promise<Conversation>;
}

export interface HistoryActions {
  /** Fetches the page before the oldest stored message; resolves false when the start is reached. */
  loadOlder(conversationId: string): Promise<boolean>;
}

export interface ReceiptActions {
  /** The conversation now on screen (null for none): its messages are marked read while visible. */
  setVisibleConversation(conversationId: string | null): void;
}

export interface TypingActions {
  setTyping(conversationId: string, typing: boolean): void;
  typers(conversationId: string): string[];
}

/**
 * The client core's face: what the views (and src/offline) receive from
 * `createClientCore()`, declared once. The views read collections, call these
 * actions and listen to the bus; they never see the socket or the store.
 * Declared structurally, so a view test can hand in a fake core
 * (src/views/testing/fake-core.ts). `ClientCore` (create-client-core.ts)
 * extends it with what only the wiring and the tests use.
 *
 * Each action interface is declared by the controller that implements it,
 * and each event by the module that fires it (src/dispatch/bus-events.ts);
 * they are re-exported here so the layers above import the core's face
 * from one place.
 */
import type Backbone from 'backbone';
import type { DirectoryActions } from '../controllers/directory-controller';
import type { HistoryActions } from '../controllers/history-controller';
import type { AccountActions } from '../controllers/account-controller';
import type { SearchActions } from '../search/search-controller';
import type { LoginActions } from '../controllers/login-controller';
import type { OutboxActions } from '../controllers/outbox-controller';
import type { ReceiptActions } from '../controllers/receipt-controller';
import type { ReceiptsWatchActions } from '../controllers/receipts-watch-controller';
import type { TypingActions } from '../controllers/typing-controller';
import type { MessageView } from '../models/message-state';
import type { Contact, Conversation } from '../protocol';
import type { DraftRecord } from '../store/records';
import type { ThemeActions } from './theme-preference';
import type { NotificationActions } from '../notify/notification-settings';

export type { ConnectionState, ConnectionStatus } from '../communicator/connection-events';
export type { DirectoryActions } from '../controllers/directory-controller';
export type { HistoryActions } from '../controllers/history-controller';
export type { AccountActions } from '../controllers/account-controller';
export type { ThemeActions, ThemeChoice } from './theme-preference';
export type { LoginActions, SessionEndReason } from '../controllers/login-controller';
export type { OutboxActions } from '../controllers/outbox-controller';
export type { ReceiptActions } from '../controllers/receipt-controller';
export type { ReceiptsWatchActions } from '../controllers/receipts-watch-controller';
export type { TypingActions } from '../controllers/typing-controller';
export type { NotificationActions, NotificationStatus } from '../notify/notification-settings';
export type { MessageState, MessageView, PendingChange, RowKind } from '../models/message-state';

export type ContactModel = Backbone.Model<Contact>;
export type MessageModel = Backbone.Model<MessageView>;
export type DraftModel = Backbone.Model<DraftRecord>;

/** The conversation model adds read helpers to the wire attributes. */
export interface ConversationModel extends Backbone.Model<Conversation> {
  /** Messages from others past my read position (`myReadSeq`). */
  unreadCount(): number;
  /** The first message from someone else past my read position, or null: where the "New messages" line goes. */
  firstUnreadSeq(): number | null;
  /** False once the person was removed or left: the conversation stays, read-only. */
  isMember(selfId: string): boolean;
  lastMessage(): MessageView | MessageModel | null | undefined;
}

export interface ViewCollections {
  contacts: Backbone.Collection<ContactModel>;
  conversations: Backbone.Collection<ConversationModel>;
  /** The same collection for the same conversation every time. */
  messagesFor(conversationId: string): Backbone.Collection<MessageModel>;
  /** What the person was writing in the conversation; the composer saves and destroys it. */
  draftFor(conversationId: string): DraftModel;
}

/** The core as the views see it: the bus, the actions and the collections. */
export interface ViewCore {
  dispatch: Backbone.Events;
  session: LoginActions;
  outbox: OutboxActions;
  directory: DirectoryActions;
  history: HistoryActions;
  /** The conversation on screen (read receipts) and everyone's positions ("seen by"; fires `receipts:change` with the conversation id). */
  receipts: ReceiptActions & ReceiptsWatchActions;
  typing: TypingActions;
  /** Notifications on or off, mutes, and the unread total of the title (`notifications:change`, `unread:change`, `notification:open`). */
  notifications: NotificationActions;
  /** Search over the device's history, then the server's (src/search). */
  search: SearchActions;
  collections: ViewCollections;
  /** The display name, the password and the sessions (the settings view). */
  account: AccountActions;
  /** Light, dark or the system's colours, kept on a trusted device. */
  theme: ThemeActions;
}

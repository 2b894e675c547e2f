import Backbone from 'backbone';
import type { MessageView } from '../../core/client-core-api';
import { conversationActivity } from '../../models/conversation';
import { compareMessages } from '../../models/message-order';
import { ThemePreference } from '../../core/theme-preference';
import { BodySchema, ProtocolError, type Contact, type Conversation, type MemberPosition, type Message, type SessionInfo, type User } from '../../protocol';
import type { DraftRecord } from '../../store/records';
import type { NotificationStatus } from '../../core/client-core-api';
import { messageAttributes, type ContactModel, type ConversationModel, type DraftModel, type MessageModel, type ViewCore } from '../view-core';

/**
 * An in-memory stand-in for the client core, for view tests and design
 * previews: real Backbone collections, actions (and message models' syncs)
 * that record their calls, and sends echoed locally. No socket, no storage.
 */
export class FakeConversation extends Backbone.Model<Conversation> implements ConversationModel {
  messages?: Backbone.Collection<MessageModel>;
  selfId = 'u-alice';
  unreadCount(): number {
    const readSeq = this.get('myReadSeq') ?? 0;
    return this.messages?.filter((m) => (m.get('seq') ?? 0) > readSeq && m.get('senderId') !== this.selfId && m.get('kind') === 'message').length ?? 0;
  }
  firstUnreadSeq(): number | null {
    const readSeq = this.get('myReadSeq') ?? 0;
    return this.messages?.find((m) => (m.get('seq') ?? 0) > readSeq && m.get('senderId') !== this.selfId && m.get('kind') === 'message')?.get('seq') ?? null;
  }
  isMember(selfId: string): boolean {
    return (this.get('memberIds') ?? []).includes(selfId);
  }
  lastMessage(): MessageModel | null {
    return this.messages?.last() ?? null;
  }
}

export interface FakeCore extends ViewCore {
  calls: { name: string; args: unknown[] }[];
  user: User | null;
  messages: Map<string, Backbone.Collection<MessageModel>>;
  /** Every member's receipt positions per conversation, as the `receipts:<id>` resource would say; change it, then trigger `receipts:change`. */
  positions: Map<string, Record<string, MemberPosition>>;
  /** Messages the "server" has but the collections do not: `history.ensureMessage` adds them. */
  remote: Map<string, MessageView>;
  /** What `account.sessions()` lists. */
  sessionList: SessionInfo[];
  /** The next account action rejects with this (a ProtocolError, say), once. */
  failNext: Error | null;
  /** The theme choice last shown, as src/views/theme.ts would show it. */
  appliedTheme(): string;
  /** What every search answers (as merged results). */
  searchHits: Message[];
}

export function createFakeCore(options: { user?: User | null; olderPages?: MessageView[][]; publicComputer?: boolean } = {}): FakeCore {
  const dispatch = { ...Backbone.Events } as Backbone.Events;
  const calls: FakeCore['calls'] = [];
  const record = (name: string, ...args: unknown[]) => calls.push({ name, args });
  const contacts = new Backbone.Collection<ContactModel>();
  // In the conversation list's one order, as the core's collection keeps it.
  const conversations = new Backbone.Collection<ConversationModel>([], {
    model: FakeConversation as never,
    comparator: (a: ConversationModel, b: ConversationModel) => activityOf(b) - activityOf(a),
  });
  const messages = new Map<string, Backbone.Collection<MessageModel>>();
  const olderPages = options.olderPages ?? [];
  /** Records a model's save or destroy (Backbone.sync) as a call, and succeeds as the store's sync would. */
  const recordSync = (method: string, name: string, model: Backbone.Model, syncOptions?: { success?(response: unknown): void }): JQueryXHR => {
    record(method, name);
    syncOptions?.success?.(model.toJSON());
    // Backbone's types promise a jqXHR; like the store's sync, this answers with a settled promise.
    return Promise.resolve(model.toJSON()) as unknown as JQueryXHR;
  };
  class RecordedMessage extends Backbone.Model<MessageView> {
    override sync(method: string, model: RecordedMessage, syncOptions?: { success?(response: unknown): void }): JQueryXHR {
      return recordSync(method, model.get('clientMessageId') ?? '', model, syncOptions);
    }
  }
  class RecordedDraft extends Backbone.Model<DraftRecord> {
    override sync(method: string, model: RecordedDraft, syncOptions?: { success?(response: unknown): void }): JQueryXHR {
      return recordSync(`${method} draft`, String(model.id), model, syncOptions);
    }
  }
  const drafts = new Backbone.Collection<DraftModel>([], { model: RecordedDraft });
  const positions = new Map<string, Record<string, MemberPosition>>();
  const remote = new Map<string, MessageView>();
  let changes = 0;
  /** Applies a change to the message here at once, marked pending, as the outbox shows one it has not sent. */
  const change = (conversationId: string, messageId: string, kind: 'edit' | 'delete' | 'reaction', attributes: Partial<MessageView>) => {
    const model = core.collections.messagesFor(conversationId).get(messageId);
    if (!model) return;
    const pendingChanges = [...(model.get('pendingChanges') ?? []), { clientMessageId: `change-${++changes}`, kind, state: 'pending' as const }];
    model.set({ ...attributes, pendingChanges });
  };
  /** A local echo of a change to the conversation: a pending system line, seq null, until the server answers. */
  const echo = (conversationId: string, change: Pick<MessageView, 'kind' | 'added' | 'removed' | 'title'>) => {
    const clientMessageId = `cm-${calls.length}`;
    core.collections.messagesFor(conversationId).add({
      ...SYSTEM_ROW, id: `local:${clientMessageId}`, conversationId, seq: null, senderId: core.user?.id ?? 'me', clientMessageId, sentAt: Date.now(), revision: 0, state: 'pending', ...change,
    });
  };
  let applied = 'system';
  const theme = new ThemePreference({ storage: null, apply: (choice) => void (applied = choice) });
  /** Records an account action, failing it once when `failNext` is set. */
  const accountCall = async (name: string, ...args: unknown[]): Promise<void> => {
    record(name, ...args);
    const failure = core.failNext;
    core.failNext = null;
    if (failure) throw failure;
  };
  /** A directory action on the fake contacts: the entry changes as the server would list it. */
  const updateContact = (userId: string, change: Partial<Contact> | null): void => {
    const model = contacts.get(userId);
    if (!model) return;
    if (change === null) contacts.remove(model);
    else model.set(change);
  };
  const notificationStatus: NotificationStatus = { permission: 'default', enabled: false, offerPrompt: true };
  const muted = new Set<string>();
  const core: FakeCore = {
    calls,
    user: options.user === undefined ? { id: 'u-alice', username: 'alice', displayName: 'Alice' } : options.user,
    messages,
    positions,
    remote,
    sessionList: [],
    failNext: null,
    appliedTheme: () => applied,
    dispatch,
    session: {
      login: (input) => record('login', input),
      signup: async (input) => void record('signup', input),
      logout: async () => {
        record('logout');
        core.user = null;
        dispatch.trigger('session:ended', { reason: 'logout' });
      },
      currentUser: () => core.user,
      isPublicComputer: () => options.publicComputer ?? false,
      hasStoredSession: () => core.user !== null,
    },
    outbox: {
      send: (conversationId, body, sendOptions) => {
        // The outbox's one check of a body, against the protocol's schema.
        checkBody(body, 'SendMessageCommand');
        const replyTo = sendOptions?.replyTo ?? null;
        record('send', conversationId, body, ...(replyTo ? [replyTo] : []));
        const clientMessageId = `cm-${calls.length}`;
        const message: MessageView = {
          ...fakeMessage(0, core.user?.id ?? 'me', body, Date.now(), conversationId),
          id: `local:${clientMessageId}`, seq: null, clientMessageId, replyTo, state: 'pending',
        };
        core.collections.messagesFor(conversationId).add(message);
        return message;
      },
      edit: (conversationId, messageId, body) => {
        checkBody(body, 'EditMessageCommand');
        record('edit', conversationId, messageId, body);
        change(conversationId, messageId, 'edit', { body, editedAt: Date.now() });
      },
      deleteMessage: (conversationId, messageId) => {
        record('deleteMessage', conversationId, messageId);
        change(conversationId, messageId, 'delete', { body: '', reactions: {}, deletedAt: Date.now() });
      },
      react: (conversationId, messageId, emoji, on) => {
        record('react', conversationId, messageId, emoji, on);
        const model = core.collections.messagesFor(conversationId).get(messageId);
        const self = core.user?.id ?? 'me';
        const reactions = { ...(model?.get('reactions') ?? {}) };
        const who = (reactions[emoji] ?? []).filter((id) => id !== self);
        if (on) who.push(self);
        if (who.length > 0) reactions[emoji] = who;
        else delete reactions[emoji];
        change(conversationId, messageId, 'reaction', { reactions });
      },
      // Changes to the conversation show at once as a pending line, as the outbox's echoes do.
      renameConversation: (conversationId, title) => {
        record('renameConversation', conversationId, title);
        echo(conversationId, { kind: 'title', title });
      },
      addMembers: (conversationId, memberIds) => {
        record('addMembers', conversationId, memberIds);
        echo(conversationId, { kind: 'members', added: memberIds, removed: [] });
      },
      removeMember: (conversationId, memberId) => {
        record('removeMember', conversationId, memberId);
        echo(conversationId, { kind: 'members', added: [], removed: [memberId] });
      },
      retry: (id) => void record('retry', id),
      dismiss: (id) => void record('dismiss', id),
      pendingCount: () => 0,
    },
    directory: {
      addContact: async (username) => {
        record('addContact', username);
        const contact: Contact = { id: `u-${username}`, username, displayName: username, online: false, lastSeenAt: null, state: 'outgoing', blocked: false };
        contacts.add(new Backbone.Model(contact) as ContactModel);
        return contact;
      },
      answerRequest: async (userId, accept) => {
        record('answerRequest', userId, accept);
        updateContact(userId, accept ? { state: 'accepted' } : null);
        return accept ? ((contacts.get(userId)?.attributes as Contact | undefined) ?? null) : null;
      },
      removeContact: async (userId) => {
        record('removeContact', userId);
        updateContact(userId, contacts.get(userId)?.get('blocked') ? { state: 'none' } : null);
      },
      setBlocked: async (userId, blocked) => {
        record('setBlocked', userId, blocked);
        const state = contacts.get(userId)?.get('state');
        // Blocking drops a request they sent; unblocking a non-contact leaves nothing to list.
        if (!blocked && state === 'none') updateContact(userId, null);
        else updateContact(userId, { blocked, ...(blocked && state === 'incoming' ? { state: 'none' as const } : {}) });
      },
      createConversation: async (memberIds, title) => {
        record('createConversation', memberIds, title);
        throw Object.assign(new Error('not in the fake'), { code: 'INTERNAL' });
      },
    },
    history: {
      loadOlder: async (conversationId) => {
        record('loadOlder', conversationId);
        const page = olderPages.shift();
        if (page) core.collections.messagesFor(conversationId).add(page);
        return olderPages.length > 0;
      },
      ensureMessage: async (conversationId, messageId) => {
        record('ensureMessage', conversationId, messageId);
        const collection = core.collections.messagesFor(conversationId);
        if (collection.get(messageId)) return true;
        const found = remote.get(messageId);
        if (!found || found.conversationId !== conversationId) return false;
        collection.add(found);
        return true;
      },
    },
    receipts: {
      setVisibleConversation: (id) => void record('setVisibleConversation', id),
      watchReceipts: (conversationId) => {
        record('watchReceipts', conversationId);
        return () => record('stopWatchingReceipts', conversationId);
      },
      seenBy: (conversationId, seq) => {
        const read: string[] = [];
        const delivered: string[] = [];
        for (const [userId, position] of Object.entries(positions.get(conversationId) ?? {})) {
          if (userId === core.user?.id) continue;
          if (position.readSeq >= seq) read.push(userId);
          else if (position.deliveredSeq >= seq) delivered.push(userId);
        }
        return { read, delivered };
      },
    },
    account: {
      updateDisplayName: async (displayName) => {
        await accountCall('updateDisplayName', displayName);
        core.user = { ...core.user!, displayName };
        dispatch.trigger('store:change:session', { session: ['current'] });
        return core.user;
      },
      changePassword: (currentPassword, newPassword) => accountCall('changePassword', currentPassword, newPassword),
      sessions: async () => {
        await accountCall('sessions');
        return core.sessionList;
      },
      revokeSession: async (sessionId) => {
        await accountCall('revokeSession', sessionId);
        core.sessionList = core.sessionList.filter((s) => s.id !== sessionId);
      },
      revokeOtherSessions: async () => {
        await accountCall('revokeOtherSessions');
        const before = core.sessionList.length;
        core.sessionList = core.sessionList.filter((s) => s.current);
        return before - core.sessionList.length;
      },
    },
    theme,
    typing: { setTyping: (id, typing) => void record('setTyping', id, typing), typers: () => [] },
    notifications: {
      status: () => ({ ...notificationStatus }),
      enable: async () => {
        record('enableNotifications');
        Object.assign(notificationStatus, { permission: 'granted', enabled: true, offerPrompt: false });
        dispatch.trigger('notifications:change', { ...notificationStatus });
        return { ...notificationStatus };
      },
      disable: async () => {
        record('disableNotifications');
        Object.assign(notificationStatus, { enabled: false, offerPrompt: false });
        dispatch.trigger('notifications:change', { ...notificationStatus });
      },
      dismissPrompt: async () => {
        record('dismissPrompt');
        notificationStatus.offerPrompt = false;
        dispatch.trigger('notifications:change', { ...notificationStatus });
      },
      isMuted: (id) => muted.has(id),
      setMuted: async (id, on) => {
        record('setMuted', id, on);
        if (on) muted.add(id);
        else muted.delete(id);
        dispatch.trigger('store:change:preferences', { preferences: [`mute:${id}`] });
      },
      unreadTotal: () => 0,
    },
    search: {
      search: async (query, scope, onResults) => {
        record('search', query, scope);
        const results = { query, messages: [...core.searchHits], source: 'merged' as const };
        onResults(results);
        return results;
      },
    },
    searchHits: [],
    collections: {
      contacts,
      conversations,
      draftFor: (conversationId) => drafts.get(conversationId) ?? drafts.add({ id: conversationId, body: '', updatedAt: 0 }),
      messagesFor: (conversationId) => {
        let collection = messages.get(conversationId);
        if (!collection) {
          // In the messages' one order, as the core's message collections keep it.
          collection = new Backbone.Collection<MessageModel>([], { model: RecordedMessage, comparator: (a: MessageModel, b: MessageModel) => compareMessages(a.attributes as MessageView, b.attributes as MessageView) });
          messages.set(conversationId, collection);
          const conversation = conversations.get(conversationId) as FakeConversation | undefined;
          if (conversation) conversation.messages = collection;
        }
        return collection;
      },
    },
  };
  return core;
}

/** Adds a conversation and wires its messages collection for unreadCount/lastMessage. */
export function addConversation(core: FakeCore, conversation: Conversation, messages: MessageView[] = []): FakeConversation {
  const model = new FakeConversation(conversation);
  model.selfId = core.user?.id ?? '';
  core.collections.conversations.add(model);
  const collection = core.collections.messagesFor(conversation.id);
  model.messages = collection;
  collection.add(messages);
  core.collections.conversations.sort();
  return model;
}

/** A message from `senderId` with sensible defaults. */
export function fakeMessage(seq: number, senderId: string, body: string, sentAt: number, conversationId = 'conv-1'): MessageView {
  return {
    kind: 'message', id: `m${seq}`, conversationId, seq, senderId, clientMessageId: `cm${seq}`, body, sentAt, state: 'sent',
    replyTo: null, attachments: [], reactions: {}, editedAt: null, deletedAt: null, revision: Math.max(1, seq),
  };
}

/** A conversation entry (section 7a) of `memberIds` with sensible defaults: everyone joined at 1, nothing delivered or read; a group past two. */
export function fakeConversationOf(id: string, memberIds: string[], extra: Partial<Conversation> = {}): Conversation {
  return {
    id, kind: memberIds.length > 2 ? 'group' : 'direct', title: '', ownerId: memberIds.length > 2 ? (memberIds[0] ?? null) : null, memberIds,
    latestSeq: 0, updatedAt: Date.now(), members: Object.fromEntries(memberIds.map((m) => [m, { joinedSeq: 1 }])),
    myDeliveredSeq: 0, myReadSeq: 0, deliveredToAllSeq: 0, readByAllSeq: 0, ...extra,
  };
}

/** The outbox's one check of a body, against the protocol's schema. */
function checkBody(body: string, command: string): void {
  const checked = BodySchema.safeParse(body);
  if (!checked.success) throw new ProtocolError('INVALID_PAYLOAD', `body: ${checked.error.issues[0]?.message ?? 'invalid'}`, command);
}

function activityOf(model: ConversationModel): number {
  return conversationActivity(model.get('updatedAt') ?? 0, messageAttributes(model.lastMessage()));
}

/** A `members` or `title` entry (a system line) from `senderId`. */
export function fakeSystemEntry(seq: number, senderId: string, change: { added?: string[]; removed?: string[] } | { title: string }, sentAt: number, conversationId = 'conv-1'): MessageView {
  const fields = 'title' in change ? { kind: 'title' as const, title: change.title } : { kind: 'members' as const, added: change.added ?? [], removed: change.removed ?? [] };
  return { ...SYSTEM_ROW, id: `m${seq}`, conversationId, seq, senderId, clientMessageId: `cm${seq}`, sentAt, revision: seq, state: 'sent', ...fields };
}

/** A system line's message fields, as the core's rows carry them: empty. */
const SYSTEM_ROW = { body: '', replyTo: null, attachments: [], reactions: {}, editedAt: null, deletedAt: null };

/** A conversation of version 2's shape: `overrides` on a two-person direct conversation of alice and bob, all read. */
export function fakeConversation(overrides: Partial<Conversation> = {}): Conversation {
  const memberIds = overrides.memberIds ?? ['u-alice', 'u-bob'];
  return {
    id: 'conv-1', kind: 'direct', title: '', ownerId: null, memberIds, latestSeq: 0, updatedAt: Date.now(),
    members: Object.fromEntries(memberIds.map((id) => [id, { joinedSeq: 1 }])),
    myDeliveredSeq: 0, myReadSeq: 0, deliveredToAllSeq: 0, readByAllSeq: 0,
    ...overrides,
  };
}

import Backbone from 'backbone';
import type { MessageView } from '../../core/client-core-api';
import { conversationActivity } from '../../models/conversation';
import { compareMessages } from '../../models/message-order';
import { ThemePreference } from '../../core/theme-preference';
import { BodySchema, ProtocolError, type Contact, type Conversation, type SessionInfo, type User } from '../../protocol';
import type { DraftRecord } from '../../store/records';
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
    const readSeq = this.get('members')?.[this.selfId]?.readSeq ?? 0;
    return this.messages?.filter((m) => (m.get('seq') ?? 0) > readSeq && m.get('senderId') !== this.selfId).length ?? 0;
  }
  lastMessage(): MessageModel | null {
    return this.messages?.last() ?? null;
  }
}

export interface FakeCore extends ViewCore {
  calls: { name: string; args: unknown[] }[];
  user: User | null;
  messages: Map<string, Backbone.Collection<MessageModel>>;
  /** What `account.sessions()` lists. */
  sessionList: SessionInfo[];
  /** The next account action rejects with this (a ProtocolError, say), once. */
  failNext: Error | null;
  /** The theme choice last shown, as src/views/theme.ts would show it. */
  appliedTheme(): string;
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
  const core: FakeCore = {
    calls,
    user: options.user === undefined ? { id: 'u-alice', username: 'alice', displayName: 'Alice' } : options.user,
    messages,
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
      send: (conversationId, body) => {
        // The outbox's one check of a body, against the protocol's schema.
        const checked = BodySchema.safeParse(body);
        if (!checked.success) throw new ProtocolError('INVALID_PAYLOAD', `body: ${checked.error.issues[0]?.message ?? 'invalid'}`, 'SendMessageCommand');
        record('send', conversationId, body);
        const message: MessageView = {
          id: `local-${calls.length}`, conversationId, seq: null, senderId: core.user?.id ?? 'me',
          clientMessageId: `cm-${calls.length}`, body, sentAt: Date.now(), state: 'pending',
        };
        core.collections.messagesFor(conversationId).add(message);
        return message;
      },
      retry: (id) => void record('retry', id),
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
    receipts: { setVisibleConversation: (id) => void record('setVisibleConversation', id) },
    typing: { setTyping: (id, typing) => void record('setTyping', id, typing), typers: () => [] },
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
  return { id: `m${seq}`, conversationId, seq, senderId, clientMessageId: `cm${seq}`, body, sentAt, state: 'sent' };
}

function activityOf(model: ConversationModel): number {
  return conversationActivity(model.get('updatedAt') ?? 0, messageAttributes(model.lastMessage()));
}

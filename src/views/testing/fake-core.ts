import Backbone from 'backbone';
import type { MessageView } from '../../core/client-core-api';
import { conversationActivity } from '../../models/conversation';
import { compareMessages } from '../../models/message-order';
import { BodySchema, ProtocolError, type Contact, type Conversation, type Message, type User } from '../../protocol';
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
  /** What every search answers (as merged results). */
  searchHits: Message[];
}

export function createFakeCore(options: { user?: User | null; olderPages?: MessageView[][] } = {}): FakeCore {
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
  const core: FakeCore = {
    calls,
    user: options.user === undefined ? { id: 'u-alice', username: 'alice', displayName: 'Alice' } : options.user,
    messages,
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
      isPublicComputer: () => false,
      hasStoredSession: () => core.user !== null,
    },
    outbox: {
      send: (conversationId, body, sendOptions) => {
        // The outbox's one check of a body, against the protocol's schema.
        const checked = BodySchema.safeParse(body);
        if (!checked.success) throw new ProtocolError('INVALID_PAYLOAD', `body: ${checked.error.issues[0]?.message ?? 'invalid'}`, 'SendMessageCommand');
        record('send', conversationId, body, ...(sendOptions ? [sendOptions] : []));
        const message: MessageView = {
          ...fakeMessage(0, core.user?.id ?? 'me', body, Date.now(), conversationId),
          id: `local-${calls.length}`, seq: null, clientMessageId: `cm-${calls.length}`, state: 'pending', revision: 0,
          replyTo: sendOptions?.replyTo ?? null,
        };
        core.collections.messagesFor(conversationId).add(message);
        return message;
      },
      edit: (conversationId, messageId, body) => void record('edit', conversationId, messageId, body),
      deleteMessage: (conversationId, messageId) => void record('deleteMessage', conversationId, messageId),
      react: (conversationId, messageId, emoji, on) => void record('react', conversationId, messageId, emoji, on),
      renameConversation: (conversationId, title) => void record('renameConversation', conversationId, title),
      addMembers: (conversationId, memberIds) => void record('addMembers', conversationId, memberIds),
      removeMember: (conversationId, memberId) => void record('removeMember', conversationId, memberId),
      retry: (id) => void record('retry', id),
      dismiss: (id) => void record('dismiss', id),
      pendingCount: () => 0,
    },
    directory: {
      addContact: async (username) => {
        record('addContact', username);
        const contact: Contact = { id: `u-${username}`, username, displayName: username, online: false, lastSeenAt: null };
        contacts.add(new Backbone.Model(contact) as ContactModel);
        return contact;
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
        return core.collections.messagesFor(conversationId).some((m) => m.get('id') === messageId);
      },
    },
    receipts: {
      setVisibleConversation: (id) => void record('setVisibleConversation', id),
      watchReceipts: (id) => {
        record('watchReceipts', id);
        return () => void record('unwatchReceipts', id);
      },
      seenBy: () => ({ read: [], delivered: [] }),
    },
    typing: { setTyping: (id, typing) => void record('setTyping', id, typing), typers: () => [] },
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
    id: `m${seq}`, conversationId, seq, senderId, clientMessageId: `cm${seq}`, body, sentAt, state: 'sent',
    kind: 'message', replyTo: null, attachments: [], reactions: {}, editedAt: null, deletedAt: null, revision: seq,
  };
}

function activityOf(model: ConversationModel): number {
  return conversationActivity(model.get('updatedAt') ?? 0, messageAttributes(model.lastMessage()));
}

import type { Communicator } from '../communicator/communicator';
import type { Dispatch } from '../dispatch/dispatch';
import { ProtocolError, type Contact, type Conversation, type ErrorCode } from '../protocol';
import type { Store } from '../store/store';
import { fetchContacts } from './list-pages';

declare module '../dispatch/bus-events' {
  interface BusEvents {
    /** A command the person started was refused; views may show it. */
    'action:error': { action: string; code: ErrorCode; message: string };
  }
}

/** What the views may ask of the directory. */
export interface DirectoryActions {
  /** Sends a contact request (or accepts theirs, if they asked first): the entry's `state` says which. */
  addContact(username: string): Promise<Contact>;
  createConversation(memberIds: string[], title?: string): Promise<Conversation>;
  /** Accepts or declines an incoming request; resolves to the contact, or null after a decline. */
  answerRequest(userId: string, accept: boolean): Promise<Contact | null>;
  /** Withdraws an outgoing request or removes a contact (conversations stay, read-only in effect). */
  removeContact(userId: string): Promise<void>;
  /** Blocks or unblocks someone: a blocked person cannot request, message directly, see presence or add one to groups. */
  setBlocked(userId: string, blocked: boolean): Promise<void>;
}

export interface DirectoryControllerOptions {
  dispatch: Dispatch;
  communicator: Communicator;
  store: Store;
}

/**
 * The person's explicit requests that wait for an answer: adding a contact,
 * starting a conversation, paging back through history on the server. Results go into the
 * store; refusals reject with the server's code and are announced as
 * `action:error`.
 */
export class DirectoryController implements DirectoryActions {
  private readonly olderInFlight = new Map<string, Promise<boolean>>();

  constructor(private readonly options: DirectoryControllerOptions) {}

  async addContact(username: string): Promise<Contact> {
    const { contact } = await this.report('addContact', this.options.communicator.request('AddContactCommand', { username }));
    this.options.store.addItems('contacts', { [contact.id]: contact });
    return contact;
  }

  async answerRequest(userId: string, accept: boolean): Promise<Contact | null> {
    const { contact } = await this.report('answerRequest', this.options.communicator.request('AnswerContactRequestCommand', { userId, accept }));
    if (contact) this.options.store.addItems('contacts', { [contact.id]: contact });
    else await this.refreshContact(userId);
    return contact;
  }

  async removeContact(userId: string): Promise<void> {
    await this.report('removeContact', this.options.communicator.request('RemoveContactCommand', { userId }));
    await this.refreshContact(userId);
  }

  async setBlocked(userId: string, blocked: boolean): Promise<void> {
    await this.report('setBlocked', this.options.communicator.request('BlockUserCommand', { userId, blocked }));
    await this.refreshContact(userId);
  }

  async createConversation(memberIds: string[], title?: string): Promise<Conversation> {
    const payload = title ? { memberIds, title } : { memberIds };
    const { conversation } = await this.report('createConversation', this.options.communicator.request('CreateConversationCommand', payload));
    this.options.store.addItems('conversations', { [conversation.id]: conversation });
    return conversation;
  }

  /** Fetches the page before the oldest stored entry from the server; resolves false when the start is reached. */
  loadOlder(conversationId: string): Promise<boolean> {
    const running = this.olderInFlight.get(conversationId);
    if (running) return running;
    const run = this.fetchOlder(conversationId).finally(() => this.olderInFlight.delete(conversationId));
    this.olderInFlight.set(conversationId, run);
    return run;
  }

  private async fetchOlder(conversationId: string): Promise<boolean> {
    const { store, communicator } = this.options;
    const position = store.syncPosition(conversationId);
    if (position.oldestSeq <= 1) return false;
    const page = await this.report('loadOlder', communicator.request('GetMessagesCommand', { conversationId, beforeSeq: position.oldestSeq, limit: 100 }));
    const messages = Object.values(page.messages).filter((m) => m.conversationId === conversationId && m.seq < position.oldestSeq);
    store.addEntries(messages);
    const current = store.syncPosition(conversationId);
    const oldestSeq = messages.length ? Math.min(...messages.map((m) => m.seq)) : 1;
    // Pages are contiguous and end just below the old start, so the stored range grows downwards.
    if (oldestSeq < current.oldestSeq) store.setSyncPosition(conversationId, { syncedSeq: current.syncedSeq, oldestSeq });
    return page.hasMore && oldestSeq > 1;
  }

  /**
   * What the server now lists for this person replaces the stored entry: a
   * withdrawn, declined or removed one is gone, and one still listed (a
   * blocked non-contact, `state: "none"`) comes back as the server says. The
   * answer to the command alone would leave the client guessing the state.
   */
  private async refreshContact(userId: string): Promise<void> {
    const { store, communicator } = this.options;
    const listed = await fetchContacts(communicator, [userId]);
    const contact = listed[userId];
    if (contact) store.addItems('contacts', { [userId]: contact });
    else store.removeItems('contacts', [userId]);
  }

  private async report<T>(action: string, request: Promise<T>): Promise<T> {
    try {
      return await request;
    } catch (error) {
      if (error instanceof ProtocolError) this.options.dispatch.emit('action:error', { action, code: error.code, message: error.message });
      throw error;
    }
  }
}

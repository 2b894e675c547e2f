import type { Communicator } from '../communicator/communicator';
import type { Dispatch } from '../dispatch/dispatch';
import { ProtocolError, type Contact, type Conversation, type ErrorCode } from '../protocol';
import type { Store } from '../store/store';

declare module '../dispatch/bus-events' {
  interface BusEvents {
    /** A command the person started was refused; views may show it. */
    'action:error': { action: string; code: ErrorCode; message: string };
  }
}

/** What the views may ask of the directory. */
export interface DirectoryActions {
  addContact(username: string): Promise<Contact>;
  createConversation(memberIds: string[], title?: string): Promise<Conversation>;
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

  private async report<T>(action: string, request: Promise<T>): Promise<T> {
    try {
      return await request;
    } catch (error) {
      if (error instanceof ProtocolError) this.options.dispatch.emit('action:error', { action, code: error.code, message: error.message });
      throw error;
    }
  }
}

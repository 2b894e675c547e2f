import type { Message } from '../protocol';
import type { MessageIndex } from './message-index';
import type { StoredEntry } from './records';

/**
 * The newest stored message (kind message) of every conversation, kept also for history
 * not read from disk yet, so the conversation list shows its previews
 * without reading any chunk. Persisted as one IndexedDB value (`heads`),
 * written in the same transaction as the chunks it describes.
 */
export class MessageHeads {
  private readonly byConversation = new Map<string, Message>();

  get(conversationId: string): Message | undefined {
    return this.byConversation.get(conversationId);
  }

  has(conversationId: string): boolean {
    return this.byConversation.has(conversationId);
  }

  all(): ReadonlyMap<string, Message> {
    return this.byConversation;
  }

  /** Takes the message if it is newer than the head, or a newer revision of it (edited, deleted); returns whether the head changed. */
  raise(message: Message): boolean {
    const head = this.byConversation.get(message.conversationId);
    if (head && head.seq > message.seq) return false;
    if (head && head.seq === message.seq && head.revision >= message.revision) return false;
    this.byConversation.set(message.conversationId, message);
    return true;
  }

  /** The head was removed: the newest message left in memory takes over (removals happen with all history in memory). */
  recompute(conversationId: string, index: MessageIndex, find: (id: string) => StoredEntry | undefined): void {
    const ids = index.ids(conversationId);
    for (let i = ids.length - 1; i >= 0; i--) {
      const next = find(ids[i]!);
      if (next?.kind === 'message') return void this.byConversation.set(conversationId, next);
    }
    this.byConversation.delete(conversationId);
  }

  clear(): void {
    this.byConversation.clear();
  }
}

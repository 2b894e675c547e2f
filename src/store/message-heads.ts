import type { Message } from '../protocol';
import type { MessageIndex } from './message-index';

/**
 * The newest stored message of every conversation, kept also for history
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

  /** Takes the message if it is newer than the head; returns whether the head moved. */
  raise(message: Message): boolean {
    const head = this.byConversation.get(message.conversationId);
    // Server messages never change once stored, so an equal seq is the same message.
    if (head && head.seq >= message.seq) return false;
    this.byConversation.set(message.conversationId, message);
    return true;
  }

  /** The head was removed: the newest message left in memory takes over (removals happen with all history in memory). */
  recompute(conversationId: string, index: MessageIndex, find: (id: string) => Message | undefined): void {
    const seq = index.newestSeq(conversationId);
    const id = seq === undefined ? undefined : index.idAt(conversationId, seq);
    const next = id === undefined ? undefined : find(id);
    if (next) this.byConversation.set(conversationId, next);
    else this.byConversation.delete(conversationId);
  }

  clear(): void {
    this.byConversation.clear();
  }
}

import type { Conversation, ErrorCode, Message } from '../protocol';
import type { OutboxEntry } from '../store/records';

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

/**
 * Delivery state of a message as the person sees it. Others' messages are
 * 'sent'. Own messages: pending or failed while in the outbox without a seq;
 * once stored by the server, sent, then delivered when every other member's
 * deliveredSeq reached it, read when every other member's readSeq did.
 */
export function deriveState(message: Pick<Message, 'senderId'> & { seq: number | null }, conversation: Conversation | undefined, selfId: string | null, outbox?: OutboxEntry): MessageState {
  if (message.seq === null) return outbox?.state ?? 'pending';
  if (selfId === null || message.senderId !== selfId || !conversation) return 'sent';
  const others = conversation.memberIds.filter((id) => id !== selfId);
  if (others.length === 0) return 'sent';
  const seq = message.seq;
  if (others.every((id) => (conversation.members[id]?.readSeq ?? 0) >= seq)) return 'read';
  if (others.every((id) => (conversation.members[id]?.deliveredSeq ?? 0) >= seq)) return 'delivered';
  return 'sent';
}

/** A stored server message as the views read it. */
export function viewOfMessage(message: Message, conversation: Conversation | undefined, selfId: string | null): MessageView {
  return { ...message, state: deriveState(message, conversation, selfId) };
}

/** A local echo: the outbox entry before the server has given it a seq. */
export function viewOfOutboxEntry(entry: OutboxEntry): MessageView {
  const view: MessageView = {
    id: `local:${entry.clientMessageId}`,
    conversationId: entry.conversationId,
    seq: null,
    senderId: entry.senderId,
    clientMessageId: entry.clientMessageId,
    body: entry.body,
    sentAt: entry.createdAt,
    state: entry.state,
  };
  if (entry.error) view.error = entry.error;
  return view;
}

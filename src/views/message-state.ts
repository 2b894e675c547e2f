import type { MessageState, MessageView } from '../core/client-core-api';
import type { Conversation } from '../protocol';

const RANK: Record<MessageState, number> = { failed: -1, pending: 0, sent: 1, delivered: 2, read: 3 };

/** Words for each state, used as the status icon's accessible name. */
export const STATE_LABELS: Record<MessageState, string> = {
  pending: 'Pending',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Not sent',
};

/**
 * The state to show next to one's own message: pending and failed come from
 * the outbox; once the message has a seq, the other members' receipt
 * positions (`deliveredToAllSeq`, `readByAllSeq`) say delivered (all of them
 * stored it) or read (all of them saw it).
 */
export function displayState(message: Pick<MessageView, 'state' | 'seq'>, conversation: Conversation | undefined, selfId: string | undefined): MessageState {
  if (message.state === 'pending' || message.state === 'failed' || message.seq === null) return message.state;
  let derived: MessageState = 'sent';
  if (conversation && conversation.memberIds.some((id) => id !== selfId)) {
    // The summaries over the other members (section 7a): the lowest position among them.
    if (conversation.readByAllSeq >= message.seq) derived = 'read';
    else if (conversation.deliveredToAllSeq >= message.seq) derived = 'delivered';
  }
  return RANK[derived] >= RANK[message.state] ? derived : message.state;
}

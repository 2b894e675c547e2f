import { dayKey } from './format';
import { isSystemEntry } from './system-line';

/**
 * The rows of the message list: each message, with a day separator before the
 * first message of every calendar day. Rows carry a stable key so the virtual
 * list can keep measured heights and the scroll anchor across updates.
 */
export interface RowMessage {
  id: string;
  clientMessageId: string;
  senderId: string;
  sentAt: number;
  /** The entry's kind: `members` and `title` rows are system lines (src/views/system-line.ts). */
  kind?: string;
}

export type MessageRow<M extends RowMessage = RowMessage> =
  | { kind: 'day'; key: string; day: string; at: number }
  | { kind: 'message'; key: string; message: M; firstOfGroup: boolean };

/** Messages a sender sends within this window, on one day, share one bubble group. */
export const GROUP_WINDOW_MS = 5 * 60 * 1000;

/** Stable key of a message row: the sender's clientMessageId survives the ack that assigns a server id. */
export function messageKey(m: RowMessage): string {
  return `m:${m.senderId}:${m.clientMessageId || m.id}`;
}

/**
 * Builds rows from messages already in display order (oldest first). With
 * `after` (the message just before `messages`, whose rows exist already) it
 * continues that list: a day row only when the day changes, groups carried on.
 */
export function buildRows<M extends RowMessage>(messages: readonly M[], after?: M): MessageRow<M>[] {
  const rows: MessageRow<M>[] = [];
  let currentDay = after ? dayKey(after.sentAt) : '';
  let previous: M | undefined = after;
  for (const message of messages) {
    const day = dayKey(message.sentAt);
    if (day !== currentDay) {
      rows.push({ kind: 'day', key: `d:${day}`, day, at: message.sentAt });
      currentDay = day;
      previous = undefined;
    }
    const system = isSystemEntry(message);
    const firstOfGroup = system ||
      !previous || previous.senderId !== message.senderId || message.sentAt - previous.sentAt > GROUP_WINDOW_MS;
    rows.push({ kind: 'message', key: messageKey(message), message, firstOfGroup });
    // A system line ends a bubble group: the next message shows its sender again.
    previous = system ? undefined : message;
  }
  return rows;
}

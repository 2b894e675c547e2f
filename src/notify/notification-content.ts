import type { Contact, Conversation, Message } from '../protocol';
import type { NotificationContent } from './notification-api';

/** How much of a message a notification shows. */
export const PREVIEW_LENGTH = 100;

export interface ContentInput {
  conversation: Conversation;
  /** The newest message of the burst. */
  latest: Message;
  /** Messages of this conversation notified since the person last read it, the latest included. */
  count: number;
  sender: Pick<Contact, 'displayName' | 'username'> | undefined;
  /** A public computer keeps notifications after the tab is gone: no message text then. */
  withText: boolean;
}

/**
 * What a notification says: the sender (and the group's title), a preview of
 * the newest message, and how many came when several did; on a public
 * computer only "New message". The tag is the conversation's, so a burst
 * replaces one notification instead of stacking many.
 */
export function notificationContent({ conversation, latest, count, sender, withText }: ContentInput): NotificationContent {
  const name = sender?.displayName || sender?.username || 'Someone';
  const title = conversation.kind === 'group' && conversation.title.trim() ? `${name} in ${conversation.title}` : name;
  const several = count > 1 ? `${count} new messages` : null;
  let body: string;
  if (!withText) body = several ?? 'New message';
  else {
    const preview = previewOf(latest.body);
    body = several ? `${several}\n${preview}` : preview;
  }
  return { title, body, tag: notificationTag(conversation.id), icon: '/icons/icon-192.png' };
}

export function notificationTag(conversationId: string): string {
  return `tidings:${conversationId}`;
}

/** The first PREVIEW_LENGTH characters (code points) of the text, on one line, with an ellipsis when cut. */
export function previewOf(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  if (chars.length <= PREVIEW_LENGTH) return flat || 'New message';
  return `${chars.slice(0, PREVIEW_LENGTH).join('').trimEnd()}…`;
}

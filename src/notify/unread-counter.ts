import type { Dispatch } from '../dispatch/dispatch';
import type { ConversationCollection } from '../models/conversation-collection';
import type { PreferenceCollection } from '../models/preference-collection';

export interface UnreadCounterOptions {
  dispatch: Dispatch;
  conversations: ConversationCollection;
  preferences: PreferenceCollection;
  /** Changes within this window are counted once (a burst of messages, a catch-up). */
  delayMs?: number;
}

/** Fired when the total changes: the tab's title, its icon and the app badge follow it. */
declare module '../dispatch/bus-events' {
  interface BusEvents {
    'unread:change': { total: number };
  }
}

/**
 * The number the tab's title and badges show: messages from others past my
 * read position, over every conversation not muted. A muted conversation
 * still shows its own count in the list, dimmed. Recounted a moment after
 * the messages, conversations or preferences change, and told on the bus
 * (`unread:change`) only when it moved.
 */
export class UnreadCounter {
  private total = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly stops: (() => void)[] = [];

  constructor(private readonly options: UnreadCounterOptions) {
    const { dispatch } = options;
    for (const schema of ['messages', 'conversations', 'preferences', 'meta'] as const) {
      this.stops.push(dispatch.subscribe(`store:change:${schema}`, () => this.schedule()));
    }
  }

  current(): number {
    return this.total;
  }

  /** Counts now (the first paint, tests); fires `unread:change` when the total moved. */
  recount(): number {
    const { conversations, preferences } = this.options;
    let total = 0;
    for (const conversation of conversations.models) {
      if (!preferences.isMuted(conversation.id as string)) total += conversation.unreadCount();
    }
    if (total !== this.total) {
      this.total = total;
      this.options.dispatch.trigger('unread:change', { total });
    }
    return total;
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.recount();
    }, this.options.delayMs ?? 50);
  }
}

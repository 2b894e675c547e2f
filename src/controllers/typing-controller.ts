import type { Communicator } from '../communicator/communicator';
import type { Dispatch } from '../dispatch/dispatch';
import type { ServerMessages } from '../protocol';

declare module '../dispatch/bus-events' {
  interface BusEvents {
    /** Who is typing in a conversation now (others only). */
    'typing:change': { conversationId: string; userIds: string[] };
  }
}

/** What the views may ask about typing. */
export interface TypingActions {
  /** The person is typing (called on every keystroke) or stopped (emptied or left the field). */
  setTyping(conversationId: string, typing: boolean): void;
  typers(conversationId: string): string[];
}

export interface TypingControllerOptions {
  dispatch: Dispatch;
  communicator: Communicator;
  selfId(): string | null;
  /** "Stopped typing" after this much quiet. */
  idleMs?: number;
  /** Repeat "typing" at most this often while the person keeps typing. */
  repeatMs?: number;
  /** Forget another member's "typing" after this long without news. */
  expiryMs?: number;
}

/**
 * Typing indicators both ways: announces ours (throttled, stopped after a
 * few idle seconds or on send) and tracks others' with an expiry, emitting
 * `typing:change`.
 */
export class TypingController implements TypingActions {
  private readonly options: TypingControllerOptions;
  private readonly mine = new Map<string, { lastSentAt: number; idle: ReturnType<typeof setTimeout> }>();
  private readonly others = new Map<string, Map<string, ReturnType<typeof setTimeout>>>();
  private readonly stops: (() => void)[] = [];

  constructor(options: TypingControllerOptions) {
    this.options = options;
    const { dispatch } = options;
    this.stops.push(
      dispatch.subscribe('TypingNotification', (n) => this.onTyping(n)),
      dispatch.subscribe('message:written', (e) => this.setTyping(e.conversationId, false)),
      dispatch.subscribe('session:ended', () => this.clear()),
    );
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
    this.clear();
  }

  setTyping(conversationId: string, typing: boolean): void {
    const { communicator } = this.options;
    const current = this.mine.get(conversationId);
    if (!typing) {
      if (!current) return;
      clearTimeout(current.idle);
      this.mine.delete(conversationId);
      communicator.sendMessage('TypingCommand', { conversationId, typing: false });
      return;
    }
    const now = Date.now();
    const idle = setTimeout(() => this.setTyping(conversationId, false), this.options.idleMs ?? 3000);
    if (current) clearTimeout(current.idle);
    let lastSentAt = current?.lastSentAt ?? -Infinity;
    if (now - lastSentAt >= (this.options.repeatMs ?? 3000)) {
      if (communicator.sendMessage('TypingCommand', { conversationId, typing: true })) lastSentAt = now;
    }
    this.mine.set(conversationId, { lastSentAt, idle });
  }

  typers(conversationId: string): string[] {
    return [...(this.others.get(conversationId)?.keys() ?? [])];
  }

  private onTyping({ conversationId, userId, typing }: ServerMessages['TypingNotification']): void {
    if (userId === this.options.selfId()) return;
    let users = this.others.get(conversationId);
    const existing = users?.get(userId);
    if (existing) clearTimeout(existing);
    if (typing) {
      if (!users) this.others.set(conversationId, (users = new Map()));
      users.set(userId, setTimeout(() => this.forget(conversationId, userId), this.options.expiryMs ?? 6000));
    } else {
      users?.delete(userId);
    }
    if (typing || existing) this.announce(conversationId);
  }

  private forget(conversationId: string, userId: string): void {
    this.others.get(conversationId)?.delete(userId);
    this.announce(conversationId);
  }

  private announce(conversationId: string): void {
    this.options.dispatch.emit('typing:change', { conversationId, userIds: this.typers(conversationId) });
  }

  private clear(): void {
    for (const { idle } of this.mine.values()) clearTimeout(idle);
    this.mine.clear();
    for (const users of this.others.values()) for (const timer of users.values()) clearTimeout(timer);
    this.others.clear();
  }
}

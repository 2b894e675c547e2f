import type { VisibilitySource } from '../controllers/receipt-controller';
import type { CrossTabChannel } from '../offline/cross-tab-channel';

export interface TabAttentionOptions {
  /** Shared with the offline layer; null where there is no BroadcastChannel (each tab then knows only itself). */
  channel: CrossTabChannel | null;
  /** Visible and focused; null counts as always (Node tests). */
  visibility: VisibilitySource | null;
  userId(): string | null;
  now?: () => number;
  /** A claim is told again this often while it holds, and lapses after `ttlMs` untold (a crashed tab's claim ends). */
  refreshMs?: number;
  ttlMs?: number;
}

interface Claim {
  userId: string;
  conversationId: string;
  until: number;
}

/**
 * Which conversation the person is reading, over all the tabs of this
 * device: a tab that is visible and focused with a conversation open tells
 * the others (`attention` on the cross-tab channel), and tells again every
 * `refreshMs` so that the claim of a tab that crashed lapses. The tab that
 * notifies asks `isAttended` before it raises anything: nobody notifies of a
 * message in a conversation the person has in front of them.
 */
export class TabAttention {
  private open: string | null = null;
  private told: string | null = null;
  private readonly claims = new Map<string, Claim>();
  private readonly listeners = new Set<(conversationId: string | null) => void>();
  private refreshTimer: ReturnType<typeof setInterval> | null = null;
  private readonly stopChannel: () => void;
  private readonly onVisibility = (): void => this.update();
  private readonly now: () => number;

  constructor(private readonly options: TabAttentionOptions) {
    this.now = options.now ?? Date.now;
    this.stopChannel = options.channel?.subscribe((message) => {
      if (message.kind !== 'attention') return;
      if (message.conversationId === null) this.claims.delete(message.tabId);
      else this.claims.set(message.tabId, { userId: message.userId, conversationId: message.conversationId, until: message.until });
    }) ?? (() => undefined);
    for (const type of VISIBILITY_EVENTS) options.visibility?.addEventListener(type, this.onVisibility);
  }

  /** The conversation on screen in this tab (the view reports it; null when none, or the page is hidden). */
  setOpenConversation(conversationId: string | null): void {
    this.open = conversationId;
    this.update();
  }

  /** The conversation this tab shows while visible and focused, or null. */
  current(): string | null {
    const visible = this.options.visibility?.isVisible() ?? true;
    return visible ? this.open : null;
  }

  /** Whether the person has this conversation in front of them, in this tab or another of theirs. */
  isAttended(conversationId: string): boolean {
    if (this.current() === conversationId) return true;
    const userId = this.options.userId();
    const now = this.now();
    for (const claim of this.claims.values()) {
      if (claim.userId === userId && claim.conversationId === conversationId && claim.until > now) return true;
    }
    return false;
  }

  /** Calls `listener` with the conversation this tab now shows to the person (or null); returns a function that stops it. */
  onChange(listener: (conversationId: string | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Withdraws this tab's claim (logout, the page going away) and stops listening. */
  stop(): void {
    this.open = null;
    this.update();
    this.stopChannel();
    for (const type of VISIBILITY_EVENTS) this.options.visibility?.removeEventListener(type, this.onVisibility);
  }

  private update(): void {
    const current = this.current();
    if (current === this.told) return;
    this.told = current;
    this.tell();
    if (this.refreshTimer !== null) clearInterval(this.refreshTimer);
    this.refreshTimer = current === null ? null : setInterval(() => this.tell(), this.options.refreshMs ?? 15_000);
    for (const listener of [...this.listeners]) listener(current);
  }

  private tell(): void {
    const userId = this.options.userId();
    const channel = this.options.channel;
    if (!channel || userId === null) return;
    channel.post({ kind: 'attention', userId, tabId: channel.tabId, conversationId: this.told, until: this.now() + (this.options.ttlMs ?? 45_000) });
  }
}

const VISIBILITY_EVENTS = ['visibilitychange', 'focus', 'blur'] as const;

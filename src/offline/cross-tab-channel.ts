import type { DraftRecord, OutboxEntry, StoredEntry } from '../store/records';

/**
 * What one tab tells the others of the same origin. `outbox:changed` carries
 * this tab's changes to the shared outbox (entries written or updated, ids
 * removed, and the stored entries that removed ids became), which the others
 * apply to their stores (outbox-tab-sync.ts); `drafts:changed` carries the
 * drafts saved or dropped (draft-tab-sync.ts); `session:ended` follows a
 * logout (the others wipe and close their IndexedDB connections so the
 * database can be deleted).
 */
export type CrossTabMessage =
  | { kind: 'outbox:changed'; userId: string; entries: OutboxEntry[]; removed: string[]; acknowledged: StoredEntry[] }
  | { kind: 'drafts:changed'; userId: string; drafts: DraftRecord[]; removed: string[] }
  | { kind: 'session:ended'; reason: string }
  | { kind: 'session:ready'; userId: string };

type Envelope = { from: string; message: CrossTabMessage };

export interface ChannelLike {
  postMessage(data: unknown): void;
  close(): void;
  onmessage: ((event: MessageEvent) => void) | null;
}

export const CHANNEL_NAME = 'tidings';

/**
 * A BroadcastChannel with a typed message and a tab id, so a tab never acts
 * on its own messages. Without BroadcastChannel (old browsers) it is silent:
 * each tab still works alone, with the server keeping them in step.
 */
export class CrossTabChannel {
  readonly tabId: string;
  private readonly channel: ChannelLike | null;
  private readonly handlers = new Set<(message: CrossTabMessage) => void>();

  constructor(options: { name?: string; create?: ((name: string) => ChannelLike) | null; tabId?: string } = {}) {
    this.tabId = options.tabId ?? randomId();
    const create = options.create === undefined ? defaultChannelFactory() : options.create;
    this.channel = create ? create(options.name ?? CHANNEL_NAME) : null;
    if (this.channel) this.channel.onmessage = (event) => this.receive(event.data);
  }

  post(message: CrossTabMessage): void {
    try {
      this.channel?.postMessage({ from: this.tabId, message } satisfies Envelope);
    } catch {
      // A closed channel (page unloading) has no one left to tell.
    }
  }

  /** Listens to the other tabs; returns a function that stops listening. */
  subscribe(handler: (message: CrossTabMessage) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  close(): void {
    this.handlers.clear();
    if (this.channel) {
      this.channel.onmessage = null;
      this.channel.close();
    }
  }

  private receive(data: unknown): void {
    if (!isEnvelope(data) || data.from === this.tabId) return;
    for (const handler of [...this.handlers]) handler(data.message);
  }
}

function defaultChannelFactory(): ((name: string) => ChannelLike) | null {
  return typeof BroadcastChannel === 'function' ? (name) => new BroadcastChannel(name) as ChannelLike : null;
}

function isEnvelope(data: unknown): data is Envelope {
  if (typeof data !== 'object' || data === null) return false;
  const { from, message } = data as Partial<Envelope>;
  return typeof from === 'string' && typeof message === 'object' && message !== null && typeof (message as { kind?: unknown }).kind === 'string';
}

function randomId(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `tab-${Math.random().toString(36).slice(2)}`;
}

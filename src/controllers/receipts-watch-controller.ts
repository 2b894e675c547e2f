import type { Communicator } from '../communicator/communicator';
import type { Dispatch } from '../dispatch/dispatch';
import { MemberPositionSchema, parseResource, receiptsResource, type MemberPosition, type ServerMessages } from '../protocol';
import type { Store } from '../store/store';
import { ignoreConnectionLoss } from './subscription-controller';

declare module '../dispatch/bus-events' {
  interface BusEvents {
    /** Some member's receipt positions in a watched conversation moved ("seen by" may change). */
    'receipts:change': string;
  }
}

/** What the views may ask of everyone's receipt positions ("seen by"). */
export interface ReceiptsWatchActions {
  /** Subscribes to `receipts:<id>` while a view watches (the conversation shown); returns a function that stops watching. */
  watchReceipts(conversationId: string): () => void;
  /** Who of the other members has read seq, and who has it delivered but not read, from the receipts resource. */
  seenBy(conversationId: string, seq: number): { read: string[]; delivered: string[] };
}

export interface ReceiptsWatchControllerOptions {
  dispatch: Dispatch;
  communicator: Communicator;
  store: Store;
  selfId(): string | null;
}

/**
 * Everyone's receipt positions for the conversations a view watches
 * (section 7a): the `conversations` entry carries only summaries, so "seen
 * by" subscribes to `receipts:<id>` and asks `GetReceiptsCommand` once per
 * session; notifications carry only the members whose positions moved.
 * Positions live in memory only: they are news for the screen, not history.
 */
export class ReceiptsWatchController implements ReceiptsWatchActions {
  private readonly watchers = new Map<string, number>();
  private readonly positions = new Map<string, Map<string, MemberPosition>>();
  private ready = false;
  private readonly stops: (() => void)[] = [];

  constructor(private readonly options: ReceiptsWatchControllerOptions) {
    const { dispatch } = options;
    this.stops.push(
      dispatch.subscribe('session:ready', () => {
        this.ready = true;
        for (const conversationId of this.watchers.keys()) this.subscribe(conversationId);
      }),
      dispatch.subscribe('connection:close', () => void (this.ready = false)),
      dispatch.subscribe('session:ended', () => {
        this.ready = false;
        this.positions.clear();
      }),
      dispatch.subscribe('ResourceChangedNotification', (n) => this.onChanged(n)),
    );
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  watchReceipts(conversationId: string): () => void {
    const count = this.watchers.get(conversationId) ?? 0;
    this.watchers.set(conversationId, count + 1);
    if (count === 0 && this.ready) this.subscribe(conversationId);
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      const left = (this.watchers.get(conversationId) ?? 1) - 1;
      if (left > 0) return void this.watchers.set(conversationId, left);
      this.watchers.delete(conversationId);
      this.positions.delete(conversationId);
      if (this.ready) void this.options.communicator.request('UnsubscribeCommand', { resource: receiptsResource(conversationId) }).catch(ignoreConnectionLoss);
    };
  }

  seenBy(conversationId: string, seq: number): { read: string[]; delivered: string[] } {
    const self = this.options.selfId();
    const conversation = this.options.store.find('conversations', conversationId);
    const known = this.positions.get(conversationId);
    const read: string[] = [];
    const delivered: string[] = [];
    for (const memberId of conversation?.memberIds ?? []) {
      if (memberId === self) continue;
      const position = known?.get(memberId);
      if (!position) continue;
      if (position.readSeq >= seq) read.push(memberId);
      else if (position.deliveredSeq >= seq) delivered.push(memberId);
    }
    return { read, delivered };
  }

  private subscribe(conversationId: string): void {
    const { communicator } = this.options;
    void communicator
      .request('SubscribeCommand', { resource: receiptsResource(conversationId) })
      .then(() => communicator.request('GetReceiptsCommand', { conversationId }))
      .then((answer) => {
        if (!this.watchers.has(conversationId) || answer.conversationId !== conversationId) return;
        this.positions.set(conversationId, new Map(Object.entries(answer.members)));
        this.options.dispatch.emit('receipts:change', conversationId);
      })
      .catch(ignoreConnectionLoss);
  }

  private onChanged(notification: ServerMessages['ResourceChangedNotification']): void {
    const resource = parseResource(notification.resource);
    if (resource?.kind !== 'receipts' || !this.watchers.has(resource.conversationId)) return;
    const { conversationId } = resource;
    let known = this.positions.get(conversationId);
    if (!known) this.positions.set(conversationId, (known = new Map()));
    let moved = false;
    for (const memberId of notification.ids) {
      const parsed = MemberPositionSchema.safeParse(notification.items?.[memberId]);
      if (!parsed.success) continue;
      const old = known.get(memberId);
      // Positions only move forward; an older notification arriving late changes nothing.
      const next = { deliveredSeq: Math.max(old?.deliveredSeq ?? 0, parsed.data.deliveredSeq), readSeq: Math.max(old?.readSeq ?? 0, parsed.data.readSeq) };
      if (old && old.deliveredSeq === next.deliveredSeq && old.readSeq === next.readSeq) continue;
      known.set(memberId, next);
      moved = true;
    }
    if (moved) this.options.dispatch.emit('receipts:change', conversationId);
  }
}

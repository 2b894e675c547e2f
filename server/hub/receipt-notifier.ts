import type { ConversationPatch, MemberPosition } from '../../src/protocol/index';
import type { NoticeCoalescer } from '../handlers/notice-coalescer';
import type { ReceiptMoves } from '../storage/conversations-repo';
import type { Storage } from '../storage/storage';
import type { ConversationNotifier } from './conversation-notifier';
import type { ConversationPatches } from './conversation-patches';
import { receiptsKey, type Hub } from './hub';
import { Outbox } from './outbox';
import type { ResourceVersions } from './versions';

/**
 * What committed receipts tell whom (docs/PROTOCOL.md section 7a), in three
 * streams, each coalesced to at most one notice per receipt interval (the
 * first at once, the rest at the interval's end with what is true then):
 *
 * - `receipts:<id>` subscribers: one notification whose items are the
 *   members whose positions moved (key `receipts <id>`);
 * - the receipt's author: their own `{myDeliveredSeq, myReadSeq}` patch on
 *   `conversations`, for their other sockets (key `<userId> <id>`);
 * - the members whose `deliveredToAllSeq`/`readByAllSeq` moved: that patch
 *   on `conversations` (key `summaries <id>`).
 *
 * Nobody else hears of a receipt. A member acknowledging every message of
 * a busy group therefore costs the receipts subscribers one frame per
 * interval, and the other members nothing until the lowest position over
 * them moves.
 */
export class ReceiptNotifier {
  /** Per conversation, the members whose positions moved since its receipts subscribers were last told. */
  private readonly movedSince = new Map<string, Set<string>>();
  /** Per conversation, the members whose summaries moved since they were last told. */
  private readonly summariesSince = new Map<string, Set<string>>();

  constructor(
    private readonly storage: Storage,
    private readonly hub: Hub,
    private readonly versions: ResourceVersions,
    private readonly notices: NoticeCoalescer,
    private readonly conversationNotifier: ConversationNotifier,
  ) {}

  /** The receipts of one committed batch: the patches join `pass`, the receipts notifications `out`. */
  moved(moves: readonly ReceiptMoves[], pass: ConversationPatches, out: Outbox): void {
    for (const { conversationId, moved, summaryMoved } of moves) {
      // The resource's version grows with every position change (and again with each notification).
      this.versions.bump([receiptsKey(conversationId)]);
      this.membersChanged(conversationId, moved.keys(), out);
      for (const userId of moved.keys()) {
        if (this.notices.admit(`${userId} ${conversationId}`, () => this.later((p) => this.addOwn(conversationId, userId, p)))) {
          this.addOwn(conversationId, userId, pass);
        }
      }
      if (summaryMoved.length > 0) {
        addAll(this.summariesSince, conversationId, summaryMoved);
        if (this.notices.admit(`summaries ${conversationId}`, () => this.later((p) => this.addSummaries(conversationId, p)))) {
          this.addSummaries(conversationId, pass);
        }
      }
    }
  }

  /**
   * Tells the `receipts:<id>` subscribers that these members' positions
   * changed (coalesced like a receipt's). Items carry the positions of
   * those still members; one who is not any more is in `ids` only, so the
   * client drops it or fetches the receipts anew. The membership commands
   * call this for the members they add or remove (after the change is in
   * the repository): those no longer members lose their own `receipts:<id>`
   * subscriptions here, so they hear nothing more of it.
   */
  membersChanged(conversationId: string, userIds: Iterable<string>, out?: Outbox): void {
    const ids = [...userIds];
    for (const userId of ids) {
      if (!this.storage.conversations.isMember(conversationId, userId)) this.hub.unsubscribeUser(receiptsKey(conversationId), userId);
    }
    addAll(this.movedSince, conversationId, ids);
    const later = (): void => {
      const o = new Outbox();
      try {
        this.sendReceipts(conversationId, o);
      } finally {
        o.send();
      }
    };
    if (this.notices.admit(`receipts ${conversationId}`, later)) this.sendReceipts(conversationId, out);
  }

  private sendReceipts(conversationId: string, out?: Outbox): void {
    // A coalesced notice may come due after shutdown closed the database: nobody is left to notify.
    if (!this.storage.db.open) return;
    const ids = this.movedSince.get(conversationId);
    this.movedSince.delete(conversationId);
    if (!ids || ids.size === 0) return;
    const positions = this.storage.conversations.receiptsOf(conversationId, ids);
    const items: Record<string, MemberPosition> = {};
    for (const [userId, position] of positions) items[userId] = position;
    // At most MAX_GROUP_MEMBERS members (and those just removed): within the largest frame (limits.test.ts).
    const version = this.versions.bump([receiptsKey(conversationId)]);
    this.hub.notifyChanged([receiptsKey(conversationId)], { resource: receiptsKey(conversationId), version, ids: [...ids], items }, null, out);
  }

  private addOwn(conversationId: string, userId: string, pass: ConversationPatches): void {
    // Removed before the interval ended: they got their last full entry then.
    if (!this.storage.conversations.isMember(conversationId, userId)) return;
    const fields = this.storage.conversations.callerFields(conversationId, userId);
    if (!fields) return;
    pass.add([userId], { id: conversationId, myDeliveredSeq: fields.myDeliveredSeq, myReadSeq: fields.myReadSeq });
  }

  private addSummaries(conversationId: string, pass: ConversationPatches): void {
    const userIds = this.summariesSince.get(conversationId);
    this.summariesSince.delete(conversationId);
    if (!userIds) return;
    // Members alike share a patch object, and so a frame: most see the same lowest positions.
    const shared = new Map<string, ConversationPatch>();
    for (const userId of userIds) {
      const fields = this.storage.conversations.callerFields(conversationId, userId);
      if (!fields || !this.storage.conversations.isMember(conversationId, userId)) continue;
      const key = `${fields.deliveredToAllSeq} ${fields.readByAllSeq}`;
      let patch = shared.get(key);
      if (!patch) shared.set(key, (patch = { id: conversationId, deliveredToAllSeq: fields.deliveredToAllSeq, readByAllSeq: fields.readByAllSeq }));
      pass.add([userId], patch);
    }
  }

  /** A coalesced notice come due: its own pass and outbox. */
  private later(fill: (pass: ConversationPatches) => void): void {
    if (!this.storage.db.open) return;
    const out = new Outbox();
    try {
      const pass = this.conversationNotifier.patches();
      fill(pass);
      pass.send(out);
    } finally {
      out.send();
    }
  }
}

function addAll(map: Map<string, Set<string>>, key: string, values: Iterable<string>): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  for (const v of values) set.add(v);
}

import { ProtocolError, encodeFrame, type EntryCommandName } from '../../src/protocol/index';
import type { ConversationNotifier } from '../hub/conversation-notifier';
import type { ReceiptNotifier } from '../hub/receipt-notifier';
import { Outbox } from '../hub/outbox';
import type { Peer } from '../hub/peer';
import type { Logger } from '../logger';
import type { ServerMetrics } from '../metrics';
import type { BatchWriter, CommittedBatch, EntryRequest, ReceiptRequest } from '../storage/message-writer';
import type { ConversationsRepo } from '../storage/conversations-repo';
import type { Hub } from '../hub/hub';
import { encodeEntryAnswer } from './entry-answers';
import { notifyEntries, type Appended } from './entry-notifications';
import { errorResponse } from './errors';
import { membershipChanges, tellRemoved } from './removed-members';

/** A writing command waiting for its commit: who asked, and what the answer must echo. */
interface QueuedEntry {
  peer: Peer;
  request: EntryRequest;
  command: EntryCommandName;
  requestId: string | undefined;
  started: bigint;
}

/** A receipt waiting for its commit: who asked, and what the answer must echo. */
interface QueuedReceipt {
  peer: Peer;
  request: ReceiptRequest;
  requestId: string | undefined;
}

export interface SendPathParts {
  writer: BatchWriter;
  /** Its entry cache moves with every commit, before anything is answered. */
  conversations: ConversationsRepo;
  hub: Hub;
  conversationNotifier: ConversationNotifier;
  /** What committed receipts tell whom: the receipts subscribers, the author, the members whose summaries moved (coalesced). */
  receiptNotifier: ReceiptNotifier;
  metrics: ServerMetrics;
  logger: Logger;
}

/**
 * The way of every write through the writer (every writing command of
 * docs/PROTOCOL.md section 8, and receipts that move a position), from the
 * handler to the answers and notifications on the sockets. Commands and
 * receipts queued in one event-loop turn go to the writer as ONE batch at
 * the turn's end (one transaction); one batch is on the writer at a time,
 * and what arrives meanwhile is the next. Nothing is answered before
 * COMMIT; `committed` shows the order of everything after.
 */
export class SendPath {
  private sends: QueuedEntry[] = [];
  private receipts: QueuedReceipt[] = [];
  private scheduled = false;
  private writing = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly parts: SendPathParts) {}

  /** Queues a writing command; its answer (or ErrorResponse) is written after the batch's commit. */
  send(peer: Peer, request: EntryRequest, command: EntryCommandName, requestId: string | undefined): void {
    this.sends.push({ peer, request, command, requestId, started: process.hrtime.bigint() });
    this.schedule();
  }

  /** Queues a receipt; its AckMessagesResponse or MarkReadResponse is written after the batch's commit. */
  receipt(peer: Peer, request: ReceiptRequest, requestId: string | undefined): void {
    this.receipts.push({ peer, request, requestId });
    this.schedule();
  }

  /** Resolves once everything queued so far is committed and answered (or refused). */
  flush(): Promise<void> {
    if (!this.writing && !this.queued()) return Promise.resolve();
    if (!this.writing) this.write();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Flushes, then closes the writer. */
  async close(): Promise<void> {
    await this.flush();
    await this.parts.writer.close();
  }

  private queued(): boolean {
    return this.sends.length > 0 || this.receipts.length > 0;
  }

  /**
   * The batch leaves at the end of this turn, not at once: the sends read
   * from the sockets in this turn's I/O join it. (Posting the next batch the
   * moment a commit returned made batches of 4-9 where a turn holds 40, cost
   * scenario at batch 64; each batch costs a postMessage, a reply and a
   * notification pass.)
   */
  private schedule(): void {
    if (this.scheduled || this.writing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.write();
    });
  }

  private write(): void {
    if (this.writing || !this.queued()) return;
    const sends = this.stillMembers(this.sends);
    const receipts = this.receipts;
    this.sends = [];
    this.receipts = [];
    if (sends.length === 0 && receipts.length === 0) {
      this.idle();
      return;
    }
    this.writing = true;
    const batch = { entries: sends.map((s) => s.request), receipts: receipts.map((r) => r.request) };
    void this.parts.writer
      .commit(batch)
      .then(
        (result) => this.committed(sends, receipts, result),
        (error: unknown) => this.refused(sends, receipts, error),
      )
      .catch((error: unknown) => this.parts.logger.error({ err: error }, 'answering a committed batch failed'))
      .finally(() => {
        this.writing = false;
        if (this.queued()) this.schedule();
        else this.idle();
      });
  }

  /**
   * Membership when the batch leaves: the batch before (on the writer when
   * the handler checked) may have removed a sender, and its commit has moved
   * the cache since. Only the writer removes members, one batch at a time, so
   * this and the writer's own check for removals within the batch make a
   * plain send's membership exact without a query per send. The others are
   * answered FORBIDDEN now.
   */
  private stillMembers(queued: QueuedEntry[]): QueuedEntry[] {
    const { conversations } = this.parts;
    const kept: QueuedEntry[] = [];
    let out: Outbox | null = null;
    for (const q of queued) {
      if (conversations.isMember(q.request.conversationId, q.request.senderId)) {
        kept.push(q);
        continue;
      }
      out ??= new Outbox();
      const error = new ProtocolError('FORBIDDEN', `you are no longer a member of conversation ${q.request.conversationId}`);
      out.write(q.peer, encodeFrame('ErrorResponse', errorResponse(error, q.command, q.requestId)));
      this.parts.metrics.errors.inc({ command: q.command, code: 'FORBIDDEN' });
    }
    out?.send();
    return kept;
  }

  /**
   * After COMMIT, in one turn, in this order: (1) the cached conversation
   * entries move with the commit (those whose members or title changed are
   * dropped, to be read again); (2) every command gets its answer and every
   * receipt its answer; (3) each conversation's subscribers get one
   * `messages:` notification with the batch's entries inline, each only the
   * entries they may see, except the socket that sent all of them (its
   * answers carried them; docs/PROTOCOL.md, "Notifications in detail");
   * (4) removed members are told once and their subscriptions end;
   * (5) the `receipts:` subscribers of conversations whose positions moved
   * get the moved members; (6) each user whose `conversations` entries
   * moved gets them: the full entry where members or title changed, else
   * one notification of patches (latestSeq for every member of a
   * conversation with new entries, their own positions for a receipt's
   * author, the summaries for members whose lowest-of-the-others moved;
   * receipt-notifier.ts); (7) each socket's frames of all this leave in one
   * write, in that order.
   */
  private committed(sends: QueuedEntry[], receipts: QueuedReceipt[], batch: CommittedBatch): void {
    const { conversations, hub, conversationNotifier, receiptNotifier, metrics } = this.parts;
    // Who could see what, as the cache had it before this batch (a removed member's floor included).
    const changes = membershipChanges(batch, conversations);
    const moves = conversations.committed(batch.latestSeq, batch.updatedAt, batch.positions);
    for (const conversationId of changes.keys()) conversations.forgetCached(conversationId);
    metrics.commitTime.observe(batch.seconds);
    metrics.commitBatchSize.observe(sends.length + receipts.length);
    const out = new Outbox();
    try {
      const now = process.hrtime.bigint();
      const appended: Appended[] = [];
      for (let i = 0; i < sends.length; i++) {
        const { peer, request, command, requestId, started } = sends[i]!;
        const result = batch.entries[i]!;
        // The entry's JSON, made here, is spliced into its messages notification below too.
        out.write(peer, encodeEntryAnswer(command, request.clientMessageId, result, requestId));
        if (result.error) metrics.errors.inc({ command, code: result.error.code });
        else metrics.ackLatency.observe(Number(now - started) / 1e9);
        if (result.entry && !result.duplicate) appended.push({ entry: result.entry, peer });
      }
      for (let i = 0; i < receipts.length; i++) {
        const { peer, request, requestId } = receipts[i]!;
        const after = batch.receipts[i]!;
        const conversationId = request.conversationId;
        // The position right after this receipt (a later one of the batch may move it further), never below joinedSeq - 1 (conversations-repo.ts).
        const floor = conversations.positionFloor(conversationId, request.userId);
        const payload = { conversationId, seq: Math.max(floor, request.read ? after.readSeq : after.deliveredSeq), requestId };
        out.write(peer, encodeFrame(request.read ? 'MarkReadResponse' : 'AckMessagesResponse', payload));
      }
      notifyEntries(appended, batch.latestSeq, changes, conversations, hub, out);
      tellRemoved(changes, this.parts, out);
      conversationNotifier.notify(changes.keys(), out);
      const pass = conversationNotifier.patches();
      receiptNotifier.moved(moves, pass, out);
      conversationNotifier.latestMoved([...batch.latestSeq.keys()].filter((id) => !changes.has(id)), pass);
      pass.send(out);
    } finally {
      out.send();
    }
  }

  /** Nothing of the batch was stored (or its fate is unknown): every send and receipt of it is answered with the error. */
  private refused(sends: QueuedEntry[], receipts: QueuedReceipt[], error: unknown): void {
    const { metrics, logger } = this.parts;
    logger.error({ err: error, sends: sends.length, receipts: receipts.length }, 'a batch was not committed');
    const out = new Outbox();
    try {
      const answer = (peer: Peer, command: string, requestId: string | undefined): void => {
        const payload = errorResponse(error, command, requestId);
        metrics.errors.inc({ command, code: payload.code });
        out.write(peer, encodeFrame('ErrorResponse', payload));
      };
      for (const s of sends) answer(s.peer, s.command, s.requestId);
      for (const r of receipts) answer(r.peer, r.request.read ? 'MarkReadCommand' : 'AckMessagesCommand', r.requestId);
    } finally {
      out.send();
    }
  }

  private idle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

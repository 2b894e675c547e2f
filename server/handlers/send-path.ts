import { encodeFrame, encodeMessagesChanged, encodeSendMessageResponse, messagesResource, type Message } from '../../src/protocol/index';
import type { ConversationNotifier } from '../hub/conversation-notifier';
import type { ReceiptNotifier } from '../hub/receipt-notifier';
import { chunksWithin, messageBytes } from '../hub/byte-chunks';
import { messagesKey, type Hub } from '../hub/hub';
import { Outbox } from '../hub/outbox';
import type { Peer } from '../hub/peer';
import type { Logger } from '../logger';
import type { ServerMetrics } from '../metrics';
import type { BatchWriter, CommittedBatch, ReceiptRequest, SendRequest } from '../storage/message-writer';
import type { ConversationsRepo } from '../storage/conversations-repo';
import { errorResponse } from './errors';

/** A send waiting for its commit: who asked, and what the ack must echo. */
interface QueuedSend {
  peer: Peer;
  request: SendRequest;
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
 * The way of every write through the writer (sends, and receipts that move
 * a position), from the handler to the answers and notifications on the
 * sockets. Sends and receipts queued in one event-loop turn go to the
 * writer as ONE batch at the turn's end (one transaction); one batch is on
 * the writer at a time, and what arrives meanwhile is the next. Nothing is
 * answered before COMMIT; `committed` shows the order of everything after.
 */
export class SendPath {
  private sends: QueuedSend[] = [];
  private receipts: QueuedReceipt[] = [];
  private scheduled = false;
  private writing = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly parts: SendPathParts) {}

  /** Queues a send; its SendMessageResponse (or ErrorResponse) is written after the batch's commit. */
  send(peer: Peer, request: SendRequest, requestId: string | undefined): void {
    this.sends.push({ peer, request, requestId, started: process.hrtime.bigint() });
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
    const sends = this.sends;
    const receipts = this.receipts;
    this.sends = [];
    this.receipts = [];
    this.writing = true;
    const batch = { sends: sends.map((s) => s.request), receipts: receipts.map((r) => r.request) };
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
   * After COMMIT, in one turn, in this order: (1) the cached conversation
   * entries move with the commit; (2) every sender gets its ack and every
   * receipt its answer; (3) each conversation's subscribers get one
   * `messages:` notification with the batch's messages inline, except the
   * socket that sent all of them (its acks carried them; docs/PROTOCOL.md,
   * "Notifications in detail"); (4) the `receipts:` subscribers of
   * conversations whose positions moved get the moved members; (5) each
   * user whose `conversations` entries moved gets one notification of
   * patches: latestSeq for every member of a conversation with new
   * messages, their own positions for a receipt's author, the summaries
   * for members whose lowest-of-the-others moved (receipt-notifier.ts);
   * (6) each socket's frames of all this leave in one write, in that order.
   */
  private committed(sends: QueuedSend[], receipts: QueuedReceipt[], batch: CommittedBatch): void {
    const { conversations, hub, conversationNotifier, receiptNotifier, metrics } = this.parts;
    const moves = conversations.committed(batch.latestSeq, batch.updatedAt, batch.positions);
    metrics.commitTime.observe(batch.seconds);
    metrics.commitBatchSize.observe(sends.length + receipts.length);
    const out = new Outbox();
    try {
      const now = process.hrtime.bigint();
      for (let i = 0; i < sends.length; i++) {
        const { peer, request, requestId, started } = sends[i]!;
        const { message, duplicate } = batch.sends[i]!;
        // The message's JSON, made here, is spliced into its messages notification below too.
        out.write(peer, encodeSendMessageResponse({ clientMessageId: request.clientMessageId, message, duplicate, requestId }));
        metrics.ackLatency.observe(Number(now - started) / 1e9);
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
      for (const [conversationId, created] of createdByConversation(sends, batch)) {
        // A batch of long bodies can pass the largest frame: consecutive runs then, each with its last seq as version.
        const chunks = chunksWithin(created, (c) => messageBytes(c.message));
        chunks.forEach((chunk, i) => {
          const messages = chunk.map((c) => c.message);
          const last = messages[messages.length - 1]!.seq;
          const version = i === chunks.length - 1 ? (batch.latestSeq.get(conversationId) ?? last) : last;
          const encode = (): string => encodeMessagesChanged(messagesResource(conversationId), version, messages);
          hub.notifyEncoded([messagesKey(conversationId)], encode, soleSender(chunk), out);
        });
      }
      const pass = conversationNotifier.patches();
      receiptNotifier.moved(moves, pass, out);
      conversationNotifier.latestMoved(batch.latestSeq.keys(), pass);
      pass.send(out);
    } finally {
      out.send();
    }
  }

  /** Nothing of the batch was stored (or its fate is unknown): every send and receipt of it is answered with the error. */
  private refused(sends: QueuedSend[], receipts: QueuedReceipt[], error: unknown): void {
    const { metrics, logger } = this.parts;
    logger.error({ err: error, sends: sends.length, receipts: receipts.length }, 'a batch was not committed');
    const out = new Outbox();
    try {
      const answer = (peer: Peer, command: string, requestId: string | undefined): void => {
        const payload = errorResponse(error, command, requestId);
        metrics.errors.inc({ command, code: payload.code });
        out.write(peer, encodeFrame('ErrorResponse', payload));
      };
      for (const s of sends) answer(s.peer, 'SendMessageCommand', s.requestId);
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

/** A message the batch created, and the socket that sent it. */
interface Created {
  message: Message;
  peer: Peer;
}

/** The messages the batch created, per conversation, in seq order. A resend created nothing. */
function createdByConversation(sends: QueuedSend[], batch: CommittedBatch): Map<string, Created[]> {
  const byConversation = new Map<string, Created[]>();
  for (let i = 0; i < sends.length; i++) {
    const { message, duplicate } = batch.sends[i]!;
    if (duplicate) continue;
    const list = byConversation.get(message.conversationId);
    const created = { message, peer: sends[i]!.peer };
    if (list) list.push(created);
    else byConversation.set(message.conversationId, [created]);
  }
  return byConversation;
}

/** The socket that sent every one of these messages, or null when several did. */
function soleSender(created: readonly Created[]): Peer | null {
  const peer = created[0]!.peer;
  return created.every((c) => c.peer === peer) ? peer : null;
}

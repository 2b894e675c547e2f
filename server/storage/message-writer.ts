import type { Message } from '../../src/protocol/index';
import type { Db } from './database';
import { newId } from './ids';
import { FIELDS, RECEIPT_FIELDS, prepareBatchWriter, type BatchResult } from './writer-batch.mjs';

export interface SendRequest {
  conversationId: string;
  senderId: string;
  clientMessageId: string;
  body: string;
}

export interface SendResult {
  message: Message;
  duplicate: boolean;
}

/** A delivered (AckMessagesCommand) or read (MarkReadCommand, also delivered) receipt up to `seq`. */
export interface ReceiptRequest {
  conversationId: string;
  userId: string;
  seq: number;
  read: boolean;
}

/** The member's positions after the receipt (clamped to latestSeq, never lower than before), and whether it moved them. */
export interface ReceiptResult {
  deliveredSeq: number;
  readSeq: number;
  changed: boolean;
}

/** A member's positions after a committed receipt that moved them. */
export interface CommittedPositions {
  conversationId: string;
  userId: string;
  deliveredSeq: number;
  readSeq: number;
}

/** What one committed batch wrote, per conversation: for notifying subscribers once per batch. */
export interface CommittedBatch {
  created: Message[];
  /** The receipts that moved a member's positions, in the order they were written. */
  positions: CommittedPositions[];
  /** Conversation id -> its latestSeq after the batch. */
  latestSeq: Map<string, number>;
  /** The batch's time: every created message's sentAt and its conversation's new updatedAt. */
  updatedAt: number;
}

/**
 * Called once per committed batch, on the main thread, after COMMIT and
 * before any sender's promise resolves; must not throw. The server passes
 * the batch on to ConversationsRepo.committed here (its entry cache).
 */
export type OnCommitted = (batch: CommittedBatch, commitSeconds: number, size: number) => void;

/**
 * What the server needs of a group-commit writer: `MessageWriter` here (in
 * process, for ':memory:' databases) or `ThreadMessageWriter`
 * (thread-writer.ts: the transaction and the checkpoints on a worker thread).
 */
export interface SendWriter {
  /** Resolves once the message (or its earlier original) is committed; rejects, with SQLite's error code when there is one, if it was not. */
  submit(request: SendRequest): Promise<SendResult>;
  /**
   * A receipt, written in the same batch transaction as the sends of its
   * turn (after them); resolves after COMMIT, once `onCommitted` has seen
   * it, and rejects like `submit`.
   */
  receipt(request: ReceiptRequest): Promise<ReceiptResult>;
  /** Resolves once everything submitted so far is committed or refused. */
  flush(): Promise<void>;
  /** Flushes, then releases the writer's own resources (its thread and connection). Safe to call twice. */
  close(): Promise<void>;
  /** Runs a pragma on the connection that writes messages (e.g. the disk suite's max_page_count). */
  pragma(sql: string, simple?: boolean): Promise<unknown>;
}

export interface Pending {
  request: SendRequest;
  resolve(result: SendResult): void;
  reject(error: unknown): void;
}

export interface PendingReceipt {
  request: ReceiptRequest;
  resolve(result: ReceiptResult): void;
  reject(error: unknown): void;
}

/** A batch's receipts as the SQL takes them: four values per receipt. */
export function flattenReceipts(receipts: PendingReceipt[]): (string | number)[] {
  const flat = new Array<string | number>(receipts.length * RECEIPT_FIELDS);
  for (let i = 0, o = 0; i < receipts.length; i++, o += RECEIPT_FIELDS) {
    const r = receipts[i]!.request;
    flat[o] = r.conversationId;
    flat[o + 1] = r.userId;
    flat[o + 2] = r.seq;
    flat[o + 3] = r.read ? 1 : 0;
  }
  return flat;
}

/** A batch as the SQL (writer-batch.mjs) takes it: five strings per request, ids made here. */
export function flatten(batch: Pending[]): { flat: string[]; ids: string[] } {
  const flat = new Array<string>(batch.length * FIELDS);
  const ids = new Array<string>(batch.length);
  for (let i = 0, o = 0; i < batch.length; i++, o += FIELDS) {
    const r = batch[i]!.request;
    const id = newId('m');
    ids[i] = id;
    flat[o] = r.conversationId;
    flat[o + 1] = r.senderId;
    flat[o + 2] = r.clientMessageId;
    flat[o + 3] = r.body;
    flat[o + 4] = id;
  }
  return { flat, ids };
}

/**
 * After COMMIT: tells `onCommitted` (the server's entry cache moves with the
 * commit first, see app.ts), then answers the senders and the receipts. The caller notifies
 * on a later turn, so senders get their SendMessageResponse before the
 * ResourceChangedNotification that carries the same message.
 */
export function settle(
  batch: Pending[],
  ids: string[],
  receipts: PendingReceipt[],
  now: number,
  result: BatchResult,
  seconds: number,
  onCommitted: OnCommitted,
): void {
  const duplicates = new Map<number, Message>();
  for (let i = 0; i < result.originals.length; i += 2) duplicates.set(result.originals[i] as number, result.originals[i + 1] as Message);
  const created: Message[] = [];
  const results = batch.map((p, i): SendResult => {
    const seq = result.seqs[i]!;
    if (seq === 0) return { message: duplicates.get(i)!, duplicate: true };
    const r = p.request;
    const message: Message = { id: ids[i]!, conversationId: r.conversationId, seq, senderId: r.senderId, clientMessageId: r.clientMessageId, body: r.body, sentAt: now };
    created.push(message);
    return { message, duplicate: false };
  });
  const latestSeq = new Map<string, number>();
  for (let i = 0; i < result.latest.length; i += 2) latestSeq.set(result.latest[i] as string, result.latest[i + 1] as number);
  const positions: CommittedPositions[] = [];
  const receiptResults = receipts.map((p, i): ReceiptResult => {
    const o = i * 3;
    const after = { deliveredSeq: result.positions[o]!, readSeq: result.positions[o + 1]!, changed: result.positions[o + 2] === 1 };
    if (after.changed) positions.push({ conversationId: p.request.conversationId, userId: p.request.userId, deliveredSeq: after.deliveredSeq, readSeq: after.readSeq });
    return after;
  });
  onCommitted({ created, positions, latestSeq, updatedAt: now }, seconds, batch.length + receipts.length);
  for (let i = 0; i < batch.length; i++) batch[i]!.resolve(results[i]!);
  for (let i = 0; i < receipts.length; i++) receipts[i]!.resolve(receiptResults[i]!);
}

/**
 * Group commit on the event loop, for ':memory:' databases (a worker thread
 * cannot open the main thread's in-memory database; tests and mock mode).
 * Every send and receipt that arrives in one turn is queued, and a
 * setImmediate flush writes them all in ONE transaction (writer-batch.mjs);
 * only after COMMIT returns are they answered.
 */
export class MessageWriter implements SendWriter {
  private queue: Pending[] = [];
  private receipts: PendingReceipt[] = [];
  private scheduled = false;
  private readonly write;

  constructor(
    private readonly db: Db,
    private readonly onCommitted: OnCommitted,
    private readonly now: () => number = Date.now,
  ) {
    this.write = prepareBatchWriter(db);
  }

  submit(request: SendRequest): Promise<SendResult> {
    return new Promise<SendResult>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.schedule();
    });
  }

  receipt(request: ReceiptRequest): Promise<ReceiptResult> {
    return new Promise<ReceiptResult>((resolve, reject) => {
      this.receipts.push({ request, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flushNow());
  }

  flush(): Promise<void> {
    this.flushNow();
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.flush();
  }

  pragma(sql: string, simple = false): Promise<unknown> {
    return Promise.resolve(this.db.pragma(sql, { simple }));
  }

  /** Writes whatever is queued now, synchronously. */
  flushNow(): void {
    this.scheduled = false;
    const batch = this.queue;
    const receipts = this.receipts;
    this.queue = [];
    this.receipts = [];
    if (batch.length === 0 && receipts.length === 0) return;
    const { flat, ids } = flatten(batch);
    const now = this.now();
    const started = process.hrtime.bigint();
    let result: BatchResult;
    try {
      result = this.write(flat, now, undefined, flattenReceipts(receipts));
    } catch (error) {
      for (const p of batch) p.reject(error);
      for (const p of receipts) p.reject(error);
      return;
    }
    settle(batch, ids, receipts, now, result, Number(process.hrtime.bigint() - started) / 1e9, this.onCommitted);
  }
}

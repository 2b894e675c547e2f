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

/** What one transaction writes: sends first, then receipts (which count the sends' messages). */
export interface WriteBatch {
  sends: readonly SendRequest[];
  receipts: readonly ReceiptRequest[];
}

/** What one committed batch wrote. */
export interface CommittedBatch {
  /** Per send of the batch, in its order: the new message, or the stored original of a resend. */
  sends: SendResult[];
  /** Per receipt of the batch, in its order. */
  receipts: ReceiptResult[];
  /** The receipts that moved a member's positions, in the order they were written. */
  positions: CommittedPositions[];
  /** Conversation id -> its latestSeq after the batch. */
  latestSeq: Map<string, number>;
  /** The batch's time: every created message's sentAt and its conversation's new updatedAt. */
  updatedAt: number;
  /** How long the transaction took, BEGIN to COMMIT. */
  seconds: number;
}

/**
 * The one contract of the two writers: `MessageWriter` here (in process, for
 * ':memory:' databases) and `ThreadMessageWriter` (thread-writer.ts: on a
 * worker thread with its own connection, for every database file). Queueing
 * the sends of a turn into a batch is the caller's (handlers/send-path.ts).
 */
export interface BatchWriter {
  /**
   * Writes the batch in ONE transaction and resolves once it is committed.
   * Rejects, with SQLite's error code when there is one, if nothing of it
   * was stored; with WRITER_THREAD_EXITED if the thread died holding it (its
   * fate is unknown: a resend is answered with the original if it was).
   */
  commit(batch: WriteBatch): Promise<CommittedBatch>;
  /** Resolves once every batch handed in is settled, then releases the writer's thread and connection. Safe to call twice. */
  close(): Promise<void>;
}

/** A batch as the SQL (writer-batch.mjs) takes it: five strings per send (ids made here), four values per receipt. */
export interface FlatBatch {
  flat: string[];
  ids: string[];
  receipts: (string | number)[];
}

export function flatten(batch: WriteBatch): FlatBatch {
  const flat = new Array<string>(batch.sends.length * FIELDS);
  const ids = new Array<string>(batch.sends.length);
  for (let i = 0, o = 0; i < batch.sends.length; i++, o += FIELDS) {
    const r = batch.sends[i]!;
    const id = newId('m');
    ids[i] = id;
    flat[o] = r.conversationId;
    flat[o + 1] = r.senderId;
    flat[o + 2] = r.clientMessageId;
    flat[o + 3] = r.body;
    flat[o + 4] = id;
  }
  const receipts = new Array<string | number>(batch.receipts.length * RECEIPT_FIELDS);
  for (let i = 0, o = 0; i < batch.receipts.length; i++, o += RECEIPT_FIELDS) {
    const r = batch.receipts[i]!;
    receipts[o] = r.conversationId;
    receipts[o + 1] = r.userId;
    receipts[o + 2] = r.seq;
    receipts[o + 3] = r.read ? 1 : 0;
  }
  return { flat, ids, receipts };
}

/** The SQL's flat result (from either writer) read back into what the batch committed. */
export function readResult(batch: WriteBatch, ids: readonly string[], now: number, result: BatchResult, seconds: number): CommittedBatch {
  const duplicates = new Map<number, Message>();
  for (let i = 0; i < result.originals.length; i += 2) duplicates.set(result.originals[i] as number, result.originals[i + 1] as Message);
  const sends = batch.sends.map((r, i): SendResult => {
    const seq = result.seqs[i]!;
    if (seq === 0) return { message: duplicates.get(i)!, duplicate: true };
    const message: Message = { id: ids[i]!, conversationId: r.conversationId, seq, senderId: r.senderId, clientMessageId: r.clientMessageId, body: r.body, sentAt: now };
    return { message, duplicate: false };
  });
  const latestSeq = new Map<string, number>();
  for (let i = 0; i < result.latest.length; i += 2) latestSeq.set(result.latest[i] as string, result.latest[i + 1] as number);
  const positions: CommittedPositions[] = [];
  const receipts = batch.receipts.map((r, i): ReceiptResult => {
    const o = i * 3;
    const after = { deliveredSeq: result.positions[o]!, readSeq: result.positions[o + 1]!, changed: result.positions[o + 2] === 1 };
    if (after.changed) positions.push({ conversationId: r.conversationId, userId: r.userId, deliveredSeq: after.deliveredSeq, readSeq: after.readSeq });
    return after;
  });
  return { sends, receipts, positions, latestSeq, updatedAt: now, seconds };
}

/**
 * The batch transaction on the event loop, for ':memory:' databases (a
 * worker thread cannot open the main thread's in-memory database; tests and
 * mock mode). The same SQL as the writer thread's (writer-batch.mjs).
 */
export class MessageWriter implements BatchWriter {
  private readonly write;

  constructor(
    db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.write = prepareBatchWriter(db);
  }

  commit(batch: WriteBatch): Promise<CommittedBatch> {
    const { flat, ids, receipts } = flatten(batch);
    const now = this.now();
    const started = process.hrtime.bigint();
    try {
      const result = this.write(flat, now, receipts);
      return Promise.resolve(readResult(batch, ids, now, result, Number(process.hrtime.bigint() - started) / 1e9));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

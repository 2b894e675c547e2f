import type { Entry, ErrorCode, Message } from '../../src/protocol/index';
import type { Db } from './database';
import { newEntryId } from './ids';
import { FIELDS, RECEIPT_FIELDS, prepareBatchWriter, type BatchResult, type Outcome } from './writer-batch.mjs';

interface EntryRequestBase {
  conversationId: string;
  senderId: string;
  clientMessageId: string;
}

/** SendMessageCommand: a message, maybe a reply. */
export interface SendRequest extends EntryRequestBase {
  kind?: 'message';
  body: string;
  replyTo?: string | null;
}

/**
 * What one writing command asks of the writer (docs/PROTOCOL.md section 8).
 * The handler has checked what it can from the cache; the writer checks
 * the rest against the state inside its transaction (entry-rules.mjs).
 */
export type EntryRequest =
  | SendRequest
  | (EntryRequestBase & { kind: 'edit'; targetId: string; body: string })
  | (EntryRequestBase & { kind: 'delete'; targetId: string })
  | (EntryRequestBase & { kind: 'reaction'; targetId: string; emoji: string; on: boolean })
  | (EntryRequestBase & { kind: 'title'; title: string })
  | (EntryRequestBase & { kind: 'add'; memberIds: string[]; maxMembers: number })
  | (EntryRequestBase & { kind: 'remove'; memberId: string });

/** What became of one request of a committed batch. */
export interface EntryResult {
  /** The entry it appended, or its original (a resend); null when it changed nothing or was refused. */
  entry: Entry | null;
  /** For an edit, deletion or reaction: the message as it is after the batch (also for a reaction that changed nothing). */
  target: Message | null;
  duplicate: boolean;
  /** A rule refused it inside the transaction (GONE, FORBIDDEN, NOT_FOUND, CONFLICT...): nothing of it was stored. */
  error: { code: ErrorCode; message: string } | null;
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

/** What one transaction writes: entries first, in order, then receipts (which count the entries). */
export interface WriteBatch {
  entries: readonly EntryRequest[];
  receipts: readonly ReceiptRequest[];
}

/** What one committed batch wrote. */
export interface CommittedBatch {
  /** Per request of the batch, in its order. */
  entries: EntryResult[];
  /** Per receipt of the batch, in its order. */
  receipts: ReceiptResult[];
  /** The receipts that moved a member's positions, in the order they were written. */
  positions: CommittedPositions[];
  /** Conversation id -> its latestSeq after the batch. */
  latestSeq: Map<string, number>;
  /** The batch's time: every appended entry's sentAt and its conversation's new updatedAt. */
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

/** A batch as the SQL (writer-batch.mjs) takes it: FIELDS strings per request (ids made here), four values per receipt. */
export interface FlatBatch {
  flat: string[];
  ids: string[];
  receipts: (string | number)[];
}

export function flatten(batch: WriteBatch, now = Date.now()): FlatBatch {
  const flat = new Array<string>(batch.entries.length * FIELDS);
  const ids = new Array<string>(batch.entries.length);
  for (let i = 0, o = 0; i < batch.entries.length; i++, o += FIELDS) {
    const r = batch.entries[i]!;
    const id = newEntryId(now);
    ids[i] = id;
    flat[o] = r.kind ?? 'message';
    flat[o + 1] = r.conversationId;
    flat[o + 2] = r.senderId;
    flat[o + 3] = r.clientMessageId;
    flat[o + 5] = id;
    let text = '', ref = '', arg = '';
    switch (r.kind) {
      case undefined:
      case 'message':
        text = r.body;
        ref = r.replyTo ?? '';
        break;
      case 'edit':
        text = r.body;
        ref = r.targetId;
        break;
      case 'delete':
        ref = r.targetId;
        break;
      case 'reaction':
        text = r.emoji;
        ref = r.targetId;
        arg = r.on ? '1' : '0';
        break;
      case 'title':
        text = r.title;
        break;
      case 'add':
        text = String(r.maxMembers);
        arg = JSON.stringify(r.memberIds);
        break;
      case 'remove':
        ref = r.memberId;
        break;
    }
    flat[o + 4] = text;
    flat[o + 6] = ref;
    flat[o + 7] = arg;
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
  const outcomes = new Map<number, Outcome>();
  for (let i = 0; i < result.outcomes.length; i += 2) outcomes.set(result.outcomes[i] as number, result.outcomes[i + 1] as Outcome);
  const made = new Map<number, Entry>();
  for (let i = 0; i < result.made.length; i += 2) made.set(result.made[i] as number, result.made[i + 1] as Entry);
  const afterBatch = new Map<string, Message>();
  for (let i = 0; i < result.targets.length; i += 2) afterBatch.set(result.targets[i] as string, result.targets[i + 1] as Message);
  // Every message an answer carries is the message as it is after the batch.
  const asNow = (entry: Entry): Entry => {
    if (entry.kind === 'message') return afterBatch.get(entry.id) ?? entry;
    if (entry.kind === 'edit' || entry.kind === 'delete' || entry.kind === 'reaction') {
      const target = afterBatch.get(entry.targetId);
      return target ? { ...entry, target } : entry;
    }
    return entry;
  };
  const targetOf = (entry: Entry | null, targetId: string | null): Message | null => {
    if (entry && (entry.kind === 'edit' || entry.kind === 'delete' || entry.kind === 'reaction')) return entry.target;
    return targetId ? (afterBatch.get(targetId) ?? null) : null;
  };
  const entries: EntryResult[] = [];
  for (let i = 0; i < batch.entries.length; i++) {
    const r = batch.entries[i]!;
    const seq = result.seqs[i]!;
    if (seq > 0) {
      const built = made.get(i) ?? messageEntry(r as SendRequest, ids[i]!, seq, now);
      const entry = asNow(built);
      entries.push({ entry, target: targetOf(entry, null), duplicate: false, error: null });
      continue;
    }
    const outcome = outcomes.get(i)!;
    if ('same' in outcome) {
      const first = entries[outcome.same]!;
      entries.push(first.error ? first : { ...first, duplicate: true });
    } else if ('original' in outcome) {
      const entry = asNow(outcome.original);
      entries.push({ entry, target: targetOf(entry, null), duplicate: true, error: null });
    } else if ('quiet' in outcome) {
      entries.push({ entry: null, target: targetOf(null, outcome.targetId), duplicate: outcome.resent === true, error: null });
    } else {
      entries.push({ entry: null, target: null, duplicate: false, error: outcome.error });
    }
  }
  const latestSeq = new Map<string, number>();
  for (let i = 0; i < result.latest.length; i += 2) latestSeq.set(result.latest[i] as string, result.latest[i + 1] as number);
  const positions: CommittedPositions[] = [];
  const receipts = batch.receipts.map((r, i): ReceiptResult => {
    const o = i * 3;
    const after = { deliveredSeq: result.positions[o]!, readSeq: result.positions[o + 1]!, changed: result.positions[o + 2] === 1 };
    if (after.changed) positions.push({ conversationId: r.conversationId, userId: r.userId, deliveredSeq: after.deliveredSeq, readSeq: after.readSeq });
    return after;
  });
  return { entries, receipts, positions, latestSeq, updatedAt: now, seconds };
}

/** A message the batch appended, as it was sent (the batch changed it no further). */
function messageEntry(r: SendRequest, id: string, seq: number, now: number): Message {
  return {
    id,
    conversationId: r.conversationId,
    seq,
    senderId: r.senderId,
    clientMessageId: r.clientMessageId,
    sentAt: now,
    kind: 'message',
    body: r.body,
    replyTo: r.replyTo ?? null,
    attachments: [],
    reactions: {},
    editedAt: null,
    deletedAt: null,
    revision: seq,
  };
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
    const now = this.now();
    const { flat, ids, receipts } = flatten(batch, now);
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

import type { Message } from '../../src/protocol/index';
import type { Db } from './database';

/** Fields per request in a batch's flat array: conversationId, senderId, clientMessageId, body, new message id. */
export declare const FIELDS: 5;

/** Fields per receipt in a batch's receipts array: conversationId, userId, seq, read (1) or delivered only (0). */
export declare const RECEIPT_FIELDS: 4;

export interface BatchResult {
  /** Per request: the new message's seq, or 0 for a duplicate (its original is in `originals`). */
  seqs: number[];
  /** Request index, original message, index, message, ... for the duplicates. */
  originals: (number | Message)[];
  /** Conversation id, its latest seq after the batch, ... */
  latest: (string | number)[];
  /** Per receipt: deliveredSeq, readSeq after it, and 1 if it changed them (else 0). */
  positions: number[];
}

export declare function prepareBatchWriter(db: Db): (flat: string[], now: number, receipts?: (string | number)[]) => BatchResult;

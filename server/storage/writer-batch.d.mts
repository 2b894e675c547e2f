import type { Message } from '../../src/protocol/index';
import type { Db } from './database';

/** Fields per request in a batch's flat array: conversationId, senderId, clientMessageId, body, new message id. */
export declare const FIELDS: 5;

export interface BatchResult {
  /** Per request: the new message's seq, or 0 for a duplicate (its original is in `originals`). */
  seqs: number[];
  /** Request index, original message, index, message, ... for the duplicates. */
  originals: (number | Message)[];
  /** Conversation id, its latest seq after the batch, ... */
  latest: (string | number)[];
}

export declare function prepareBatchWriter(db: Db): (flat: string[], now: number, beforeCommit?: () => void) => BatchResult;

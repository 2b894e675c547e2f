import type { Entry, ErrorCode, Message } from '../../src/protocol/index';
import type { Db } from './database';

/**
 * Fields per request in a batch's flat array: kind (a RequestKind of
 * entry-rows.d.mts), conversationId, senderId, clientMessageId, text, new
 * entry id, ref, arg. `text`: the body (message, edit), the emoji
 * (reaction), the title, or the most members a group may have (add); else
 * ''. `ref`: replyTo (message; '' for none), targetId (edit, delete,
 * reaction), memberId (remove); else ''. `arg`: '1' or '0' for a
 * reaction's `on`, the added ids as a JSON array (add); else ''.
 */
export declare const FIELDS: 8;

/** Fields per receipt in a batch's receipts array: conversationId, userId, seq, read (1) or delivered only (0). */
export declare const RECEIPT_FIELDS: 4;

/** What became of a request that appended nothing. */
export type Outcome =
  | { same: number }
  | { original: Entry }
  | { quiet: true; targetId: string | null; resent?: true }
  | { error: { code: ErrorCode; message: string } };

export interface BatchResult {
  /** Per request: the seq of the entry it appended, or 0 (its outcome is in `outcomes`). */
  seqs: number[];
  /** Request index, outcome, ... for the requests that appended nothing. */
  outcomes: (number | Outcome)[];
  /** Request index, entry (without its target), ... for the entries appended that are not messages. */
  made: (number | Entry)[];
  /** Message id, the message as it is after the batch, ... for every target and original the batch answers with. */
  targets: (string | Message)[];
  /** Conversation id, its latest seq after the batch, ... */
  latest: (string | number)[];
  /** Per receipt: deliveredSeq, readSeq after it, and 1 if it changed them (else 0). */
  positions: number[];
}

export declare function prepareBatchWriter(db: Db): (flat: string[], now: number, receipts?: (string | number)[]) => BatchResult;

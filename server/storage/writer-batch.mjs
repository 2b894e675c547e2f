// The group-commit writer's SQL, shared by the in-process writer (':memory:'
// databases) and the writer thread (writer-thread.mjs). Plain JavaScript so
// that the worker thread starts without a TypeScript loader (tests start
// many servers); its types are in writer-batch.d.mts.

/** Fields per request in the flat array a batch travels in (see FIELDS in writer-batch.d.mts). */
export const FIELDS = 5;
/** Fields per receipt in a batch's receipts array: conversationId, userId, seq, read (1) or delivered only (0). */
export const RECEIPT_FIELDS = 4;

/**
 * Prepares the statements once and returns `write(flat, now, receipts)`: ONE
 * `BEGIN IMMEDIATE` transaction for the whole batch. `flat` holds, per
 * request, conversationId, senderId, clientMessageId, body, and the new
 * message's id (made by the caller, on the main thread). Seqs come from the
 * conversation's latest_seq inside the transaction, so they are gap-free;
 * (sender, clientMessageId) is deduplicated within the batch and, against
 * the table, by the insert itself (ON CONFLICT DO NOTHING, the original read
 * back only then). IMMEDIATE takes the write lock at BEGIN: with the main
 * thread's connection writing too (sessions, contacts), a deferred
 * read-then-write transaction could fail with SQLITE_BUSY at its first write
 * instead of waiting (busy_timeout applies to BEGIN IMMEDIATE).
 *
 * `receipts` (AckMessagesCommand, MarkReadCommand) are written in the same
 * transaction, AFTER the batch's messages: a receipt is clamped to its
 * conversation's latest_seq as it stands then, which includes the messages
 * of this batch (they commit together, so a position never passes a
 * committed latestSeq). Positions only move forward (MAX, also between two
 * receipts of one member in one batch); read implies delivered. Per receipt
 * the result holds the positions after it and whether it changed them.
 */
export function prepareBatchWriter(db) {
  const latestStmt = db.prepare('SELECT latest_seq FROM conversations WHERE id = ?').pluck();
  const bumpStmt = db.prepare('UPDATE conversations SET latest_seq = ?, updated_at = ? WHERE id = ?');
  const insertStmt = db.prepare(
    `INSERT INTO messages (conversation_id, seq, id, sender_id, client_message_id, body, sent_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (sender_id, client_message_id) DO NOTHING`,
  );
  const findStmt = db.prepare(
    `SELECT id, conversation_id AS conversationId, seq, sender_id AS senderId,
            client_message_id AS clientMessageId, body, sent_at AS sentAt
     FROM messages WHERE sender_id = ? AND client_message_id = ?`,
  );
  const memberStmt = db.prepare('SELECT delivered_seq AS d, read_seq AS r FROM members WHERE conversation_id = ? AND user_id = ?');
  const receiptStmt = db.prepare(
    'UPDATE members SET delivered_seq = MAX(delivered_seq, ?), read_seq = MAX(read_seq, ?) WHERE conversation_id = ? AND user_id = ?',
  );
  const inBatch = new Map();

  const write = (flat, now, receipts = []) => {
    const n = flat.length / FIELDS;
    // seqs[i] > 0: request i created a message with that seq; 0: a duplicate, its original in `originals`.
    const seqs = new Array(n);
    const originals = [];
    const latest = new Map();
    inBatch.clear();
    for (let i = 0, o = 0; i < n; i++, o += FIELDS) {
      const conversationId = flat[o], senderId = flat[o + 1], clientMessageId = flat[o + 2];
      const key = `${senderId}\u0000${clientMessageId}`;
      const sameBatch = inBatch.get(key);
      if (sameBatch !== undefined) {
        seqs[i] = 0;
        originals.push(i, typeof sameBatch === 'number' ? messageAt(flat, sameBatch, seqs[sameBatch], now) : sameBatch);
        continue;
      }
      let seq = latest.get(conversationId);
      if (seq === undefined) seq = latestStmt.get(conversationId) ?? 0;
      seq += 1;
      const { changes } = insertStmt.run(conversationId, seq, flat[o + 4], senderId, clientMessageId, flat[o + 3], now);
      if (changes === 0) {
        // Stored by an earlier batch (another socket, before a restart): answer with the original; the seq is not used.
        const original = findStmt.get(senderId, clientMessageId);
        inBatch.set(key, original);
        seqs[i] = 0;
        originals.push(i, original);
        continue;
      }
      latest.set(conversationId, seq);
      inBatch.set(key, i);
      seqs[i] = seq;
    }
    inBatch.clear();
    const latestFlat = [];
    for (const [conversationId, seq] of latest) {
      bumpStmt.run(seq, now, conversationId);
      latestFlat.push(conversationId, seq);
    }
    // deliveredSeq, readSeq, changed (1/0) per receipt.
    const positions = new Array((receipts.length / RECEIPT_FIELDS) * 3);
    for (let o = 0, p = 0; o < receipts.length; o += RECEIPT_FIELDS, p += 3) {
      const conversationId = receipts[o], userId = receipts[o + 1], seq = receipts[o + 2], read = receipts[o + 3] === 1;
      const member = memberStmt.get(conversationId, userId);
      if (!member) {
        // Not a member (checked before queuing; cannot happen today): nothing to move.
        positions[p] = 0, positions[p + 1] = 0, positions[p + 2] = 0;
        continue;
      }
      let latestSeq = latest.get(conversationId);
      if (latestSeq === undefined) latestSeq = latestStmt.get(conversationId) ?? 0;
      const target = Math.min(seq, latestSeq);
      const d = Math.max(member.d, target);
      const r = read ? Math.max(member.r, target) : member.r;
      const changed = d !== member.d || r !== member.r;
      if (changed) receiptStmt.run(d, r, conversationId, userId);
      positions[p] = d, positions[p + 1] = r, positions[p + 2] = changed ? 1 : 0;
    }
    return { seqs, originals, latest: latestFlat, positions };
  };
  const transaction = db.transaction(write);
  return (flat, now, receipts) => transaction.immediate(flat, now, receipts);
}

function messageAt(flat, i, seq, now) {
  const o = i * FIELDS;
  return { id: flat[o + 4], conversationId: flat[o], seq, senderId: flat[o + 1], clientMessageId: flat[o + 2], body: flat[o + 3], sentAt: now };
}

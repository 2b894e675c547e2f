// The group-commit writer's SQL, shared by the in-process writer (':memory:'
// databases) and the writer thread (writer-thread.mjs). Plain JavaScript so
// that the worker thread starts without a TypeScript loader (tests start
// many servers); its types are in writer-batch.d.mts.

/** Fields per request in the flat array a batch travels in (see FIELDS in writer-batch.d.mts). */
export const FIELDS = 5;

/**
 * Prepares the statements once and returns `write(flat, now)`: ONE
 * `BEGIN IMMEDIATE` transaction for the whole batch. `flat` holds, per
 * request, conversationId, senderId, clientMessageId, body, and the new
 * message's id (made by the caller, on the main thread). Seqs come from the
 * conversation's latest_seq inside the transaction, so they are gap-free;
 * (sender, clientMessageId) is deduplicated within the batch and, against
 * the table, by the insert itself (ON CONFLICT DO NOTHING, the original read
 * back only then). IMMEDIATE takes the write lock at BEGIN: with the main
 * thread's connection writing too (receipts, sessions), a deferred
 * read-then-write transaction could fail with SQLITE_BUSY at its first write
 * instead of waiting (busy_timeout applies to BEGIN IMMEDIATE).
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
  const inBatch = new Map();

  const write = (flat, now, beforeCommit) => {
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
    // Test hooks (writer-thread.mjs): a stalled disk, a crash before COMMIT.
    beforeCommit?.();
    return { seqs, originals, latest: latestFlat };
  };
  const transaction = db.transaction(write);
  return (flat, now, beforeCommit) => transaction.immediate(flat, now, beforeCommit);
}

function messageAt(flat, i, seq, now) {
  const o = i * FIELDS;
  return { id: flat[o + 4], conversationId: flat[o], seq, senderId: flat[o + 1], clientMessageId: flat[o + 2], body: flat[o + 3], sentAt: now };
}

// The group-commit writer's SQL, shared by the in-process writer (':memory:'
// databases) and the writer thread (writer-thread.mjs). Plain JavaScript so
// that the worker thread starts without a TypeScript loader (tests start
// many servers); its types are in writer-batch.d.mts. The rules of every
// kind of entry that depend on the state of the conversation are checked
// here, inside the transaction that appends the entry (entry-rules.mjs).
import { ENTRY_KIND_OF_REQUEST, ENTRY_SELECT, entryOfRow, messageOfRow } from './entry-rows.mjs';
import { prepareEntryRules } from './entry-rules.mjs';

/**
 * Fields per request in the flat array a batch travels in: kind, conversationId,
 * senderId, clientMessageId, text, new entry id, ref, arg (see FIELDS in
 * writer-batch.d.mts for what text, ref and arg hold for each kind).
 */
export const FIELDS = 8;
/** Fields per receipt in a batch's receipts array: conversationId, userId, seq, read (1) or delivered only (0). */
export const RECEIPT_FIELDS = 4;

/**
 * Prepares the statements once and returns `write(flat, now, receipts)`: ONE
 * `BEGIN IMMEDIATE` transaction for the whole batch. Requests are taken in
 * the order they came. Every entry, whatever its kind, takes the next seq
 * from the conversation's latest_seq inside the transaction (gap-free: a
 * request refused by a rule, a resend and a command that changes nothing
 * take none). (sender, clientMessageId) is one space for every kind: a
 * resend within the batch gets the answer of its first, one stored earlier
 * its original (a plain send finds it by the insert itself, ON CONFLICT DO
 * NOTHING, so the fast path costs no lookup); the same clientMessageId
 * used for another kind of entry is refused with CONFLICT. IMMEDIATE takes
 * the write lock at BEGIN: with the main thread's connection writing too
 * (sessions, contacts), a deferred read-then-write transaction could fail
 * with SQLITE_BUSY at its first write instead of waiting.
 *
 * `receipts` (AckMessagesCommand, MarkReadCommand) are written in the same
 * transaction, AFTER the batch's entries: a receipt is clamped to its
 * conversation's latest_seq as it stands then, which includes the entries
 * of this batch. Positions only move forward (MAX); read implies delivered.
 */
export function prepareBatchWriter(db) {
  const latestStmt = db.prepare('SELECT latest_seq FROM conversations WHERE id = ?').pluck();
  const bumpStmt = db.prepare('UPDATE conversations SET latest_seq = ?, updated_at = ? WHERE id = ?');
  const insertStmt = db.prepare(
    `INSERT INTO messages (conversation_id, seq, id, sender_id, client_message_id, body, sent_at, kind, reply_to, target_id, revision, detail)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (sender_id, client_message_id) DO NOTHING`,
  );
  const findStmt = db.prepare(`${ENTRY_SELECT} WHERE m.sender_id = ? AND m.client_message_id = ?`);
  const quietFindStmt = db.prepare('SELECT kind, target_id AS targetId FROM quiet_commands WHERE sender_id = ? AND client_message_id = ?');
  const quietInsertStmt = db.prepare('INSERT INTO quiet_commands (sender_id, client_message_id, conversation_id, kind, target_id) VALUES (?, ?, ?, ?, ?)');
  const quietCountStmt = db.prepare('SELECT COUNT(*) FROM quiet_commands').pluck();
  const messageNowStmt = db.prepare(`${ENTRY_SELECT} WHERE m.id = ?`);
  const memberStmt = db.prepare('SELECT delivered_seq AS d, read_seq AS r FROM members WHERE conversation_id = ? AND user_id = ?');
  const receiptStmt = db.prepare(
    'UPDATE members SET delivered_seq = MAX(delivered_seq, ?), read_seq = MAX(read_seq, ?) WHERE conversation_id = ? AND user_id = ?',
  );
  const rules = prepareEntryRules(db);
  // Whether any command ever changed nothing: only then does a plain send look its clientMessageId up there too.
  let quietRows = quietCountStmt.get();
  const inBatch = new Map();

  const write = (flat, now, receipts = []) => {
    const n = flat.length / FIELDS;
    // seqs[i] > 0: request i appended an entry with that seq; 0: see `outcomes`.
    const seqs = new Array(n);
    // Request index, then {same: j} (a resend of request j of this batch), {original: entry} (one stored
    // before), {quiet: true, resent?} (changed nothing, now or when first sent), {error: {code, message}} (refused, nothing stored).
    const outcomes = [];
    // Request index, then the entry it appended when that is not a message (its target is added by the reader).
    const made = [];
    // Messages to read back as they are after the batch: targets of every entry and answer of the batch.
    const targets = new Set();
    // `${conversationId} ${userId}` of members removed by this batch: their later sends in it are refused.
    const removed = new Set();
    const latest = new Map();
    const nextSeq = (conversationId) => {
      const seq = latest.get(conversationId) ?? latestStmt.get(conversationId) ?? 0;
      return seq + 1;
    };
    inBatch.clear();
    for (let i = 0, o = 0; i < n; i++, o += FIELDS) {
      const kind = flat[o], conversationId = flat[o + 1], senderId = flat[o + 2], clientMessageId = flat[o + 3];
      const text = flat[o + 4], id = flat[o + 5], ref = flat[o + 6], arg = flat[o + 7];
      seqs[i] = 0;
      const key = `${senderId}\u0000${clientMessageId}`;
      const first = inBatch.get(key);
      if (first !== undefined) {
        outcomes.push(i, { same: first });
        continue;
      }
      inBatch.set(key, i);
      const refuse = (code, message) => outcomes.push(i, { error: { code, message } });
      if (kind === 'message' && ref === '') {
        // The fast path: a plain send. Its resend is found by the insert's conflict; a clientMessageId
        // of a command that changed nothing is looked up only once there is any. Membership was
        // checked when the batch left (send-path.ts); only this batch can have removed the sender since.
        const quiet = quietRows > 0 ? quietFindStmt.get(senderId, clientMessageId) : undefined;
        if (quiet) {
          refuse('CONFLICT', reusedSentence(clientMessageId, quiet.kind));
          continue;
        }
        if (removed.size > 0 && removed.has(`${conversationId} ${senderId}`)) {
          refuse('FORBIDDEN', `you are no longer a member of conversation ${conversationId}`);
          continue;
        }
        const seq = nextSeq(conversationId);
        const { changes } = insertStmt.run(conversationId, seq, id, senderId, clientMessageId, text, now, 'message', null, null, seq, null);
        if (changes === 0) {
          answerStored(i, findStmt.get(senderId, clientMessageId), kind, refuse);
          continue;
        }
        latest.set(conversationId, seq);
        seqs[i] = seq;
        continue;
      }
      // Every other request: its earlier answer first (a resend is answered whatever happened since), then the rules.
      const stored = findStmt.get(senderId, clientMessageId);
      if (stored) {
        answerStored(i, stored, kind, refuse);
        continue;
      }
      if (quietRows > 0) {
        const quiet = quietFindStmt.get(senderId, clientMessageId);
        if (quiet) {
          if (quiet.kind !== ENTRY_KIND_OF_REQUEST[kind]) refuse('CONFLICT', reusedSentence(clientMessageId, quiet.kind));
          else {
            if (quiet.targetId) targets.add(quiet.targetId);
            outcomes.push(i, { quiet: true, targetId: quiet.targetId ?? null, resent: true });
          }
          continue;
        }
      }
      if (removed.has(`${conversationId} ${senderId}`)) {
        refuse('FORBIDDEN', `you are no longer a member of conversation ${conversationId}`);
        continue;
      }
      const seq = nextSeq(conversationId);
      const ruling = rules.apply({ kind, conversationId, senderId, text, ref, arg, seq, now });
      if (ruling.error) {
        refuse(ruling.error.code, ruling.error.message);
        continue;
      }
      if (ruling.quiet) {
        quietInsertStmt.run(senderId, clientMessageId, conversationId, ENTRY_KIND_OF_REQUEST[kind], ruling.targetId ?? null);
        quietRows++;
        if (ruling.targetId) targets.add(ruling.targetId);
        outcomes.push(i, { quiet: true, targetId: ruling.targetId ?? null });
        continue;
      }
      const entryKind = ENTRY_KIND_OF_REQUEST[kind];
      const body = kind === 'message' ? text : '';
      const replyTo = kind === 'message' && ref !== '' ? ref : null;
      const targetId = ruling.targetId ?? null;
      const detail = ruling.detail === undefined ? null : JSON.stringify(ruling.detail);
      const { changes } = insertStmt.run(conversationId, seq, id, senderId, clientMessageId, body, now, entryKind, replyTo, targetId, seq, detail);
      if (changes === 0) throw new Error(`clientMessageId ${clientMessageId} was stored meanwhile`); // checked above, in this transaction
      latest.set(conversationId, seq);
      seqs[i] = seq;
      if (targetId) targets.add(targetId);
      for (const userId of ruling.removed ?? []) removed.add(`${conversationId} ${userId}`);
      if (kind !== 'message') made.push(i, { id, conversationId, seq, senderId, clientMessageId, sentAt: now, kind: entryKind, ...(targetId ? { targetId } : {}), ...ruling.detail });
    }
    inBatch.clear();

    function answerStored(i, row, kind, refuse) {
      if (row.kind !== ENTRY_KIND_OF_REQUEST[kind]) {
        refuse('CONFLICT', reusedSentence(row.clientMessageId, row.kind));
        return;
      }
      const original = entryOfRow(row);
      // Served as it is after the batch (a later entry of it may have changed the message).
      if (row.targetId) targets.add(row.targetId);
      else if (row.kind === 'message') targets.add(row.id);
      outcomes.push(i, { original });
    }

    const latestFlat = [];
    for (const [conversationId, seq] of latest) {
      bumpStmt.run(seq, now, conversationId);
      latestFlat.push(conversationId, seq);
    }
    // Every message an answer or a notification of this batch carries, as it is after the batch.
    const targetsFlat = [];
    for (const id of targets) {
      const row = messageNowStmt.get(id);
      if (row?.kind === 'message') targetsFlat.push(id, messageOfRow(row));
    }
    // deliveredSeq, readSeq, changed (1/0) per receipt.
    const positions = new Array((receipts.length / RECEIPT_FIELDS) * 3);
    for (let o = 0, p = 0; o < receipts.length; o += RECEIPT_FIELDS, p += 3) {
      const conversationId = receipts[o], userId = receipts[o + 1], seq = receipts[o + 2], read = receipts[o + 3] === 1;
      const member = memberStmt.get(conversationId, userId);
      if (!member) {
        // Not a member (any more: removed in this batch or the one before): nothing to move.
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
    return { seqs, outcomes, made, targets: targetsFlat, latest: latestFlat, positions };
  };
  const transaction = db.transaction(write);
  return (flat, now, receipts) => {
    const before = quietRows;
    try {
      return transaction.immediate(flat, now, receipts);
    } catch (error) {
      quietRows = before; // rolled back with the rest
      throw error;
    }
  };
}

function reusedSentence(clientMessageId, kind) {
  return `clientMessageId ${JSON.stringify(clientMessageId)} was already used for a ${kind} entry; make a new one for each command`;
}

// Rows of `messages` (every kind of entry, docs/PROTOCOL.md section 7) read
// back into entries, shared by the writer (writer-batch.mjs: a resend's
// original, a target as it is after the batch) and the readers
// (messages-repo.ts: pages and `ids`). Plain JavaScript for the writer
// thread; types in entry-rows.d.mts.

/** A message's columns, as `<alias>.column AS <prefix>Name`. */
function messageColumns(alias, prefix) {
  return `${alias}.id AS ${prefix}id, ${alias}.conversation_id AS ${prefix}conversationId, ${alias}.seq AS ${prefix}seq,
    ${alias}.sender_id AS ${prefix}senderId, ${alias}.client_message_id AS ${prefix}clientMessageId, ${alias}.body AS ${prefix}body,
    ${alias}.sent_at AS ${prefix}sentAt, ${alias}.kind AS ${prefix}kind, ${alias}.reply_to AS ${prefix}replyTo,
    ${alias}.edited_at AS ${prefix}editedAt, ${alias}.deleted_at AS ${prefix}deletedAt, ${alias}.revision AS ${prefix}revision,
    ${alias}.reactions AS ${prefix}reactions`;
}

/**
 * SELECT of entries `m` with, for an edit, deletion or reaction, its target
 * `t` as it is now (one index lookup, `messages_by_id`; none for a message).
 * Callers add the WHERE clause.
 */
export const ENTRY_SELECT = `SELECT ${messageColumns('m', '')}, m.target_id AS targetId, m.detail AS detail, ${messageColumns('t', 't_')}
  FROM messages m LEFT JOIN messages t ON t.id = m.target_id`;

/** One message row (no prefix) as the protocol's Message: as it is now. */
export function messageOfRow(row, p = '') {
  const reactions = row[`${p}reactions`];
  return {
    id: row[`${p}id`],
    conversationId: row[`${p}conversationId`],
    seq: row[`${p}seq`],
    senderId: row[`${p}senderId`],
    clientMessageId: row[`${p}clientMessageId`],
    sentAt: row[`${p}sentAt`],
    kind: 'message',
    body: row[`${p}body`],
    replyTo: row[`${p}replyTo`] ?? null,
    attachments: [],
    reactions: reactions ? JSON.parse(reactions) : {},
    editedAt: row[`${p}editedAt`] ?? null,
    deletedAt: row[`${p}deletedAt`] ?? null,
    revision: row[`${p}revision`],
  };
}

/** A row of ENTRY_SELECT as the protocol's Entry; an edit, deletion or reaction carries its target as it is now. */
export function entryOfRow(row) {
  if (row.kind === 'message') return messageOfRow(row);
  const detail = row.detail ? JSON.parse(row.detail) : {};
  const base = { id: row.id, conversationId: row.conversationId, seq: row.seq, senderId: row.senderId, clientMessageId: row.clientMessageId, sentAt: row.sentAt, kind: row.kind };
  switch (row.kind) {
    case 'edit':
    case 'delete':
      return { ...base, targetId: row.targetId, target: messageOfRow(row, 't_') };
    case 'reaction':
      return { ...base, targetId: row.targetId, target: messageOfRow(row, 't_'), emoji: detail.emoji, on: detail.on };
    case 'members':
      return { ...base, added: detail.added ?? [], removed: detail.removed ?? [] };
    case 'title':
      return { ...base, title: detail.title };
    default:
      throw new Error(`unknown entry kind ${row.kind} at seq ${row.seq}`);
  }
}

/** The entry kind each writing command appends (its clientMessageId's kind, for resends). */
export const ENTRY_KIND_OF_REQUEST = {
  message: 'message',
  edit: 'edit',
  delete: 'delete',
  reaction: 'reaction',
  title: 'title',
  add: 'members',
  remove: 'members',
};

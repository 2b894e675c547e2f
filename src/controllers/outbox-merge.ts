import type { OutboxEdit, OutboxEntry, OutboxMessageChange, OutboxReact, OutboxSend } from '../store/records';

/**
 * The outbox's merge rules (docs/OFFLINE.md, "The outbox"): a change to
 * something that has not gone out yet is folded into it instead of being
 * queued after it. Only entries the server cannot hold may be changed:
 * never put on the wire (`attempted` unset), or refused for good (failed).
 * One the server may already hold must be answered as it was sent. Each rule returns what to write and remove;
 * the controller applies it to the store in one change.
 */
export interface MergeResult {
  /** Entries to write (new or changed). */
  put: OutboxEntry[];
  /** clientMessageIds to remove from the outbox. */
  remove: string[];
}

/** An entry the server holds nothing of, so it may still be changed or dropped. */
export function isUnsent(entry: OutboxEntry): boolean {
  return entry.state === 'failed' || !entry.attempted;
}

/**
 * An edit: of my unsent message, it changes the queued send's body (no
 * edit goes out); after an unsent edit of the same message, it replaces
 * that edit's body (one edit goes out, with the latest text); else it is
 * queued as made.
 */
export function mergeEdit(outbox: readonly OutboxEntry[], edit: OutboxEdit): MergeResult {
  const send = sendOf(outbox, edit.targetId);
  if (send && isUnsent(send)) return { put: [{ ...send, body: edit.body }], remove: [] };
  const earlier = outbox.find((e): e is OutboxEdit => e.kind === 'edit' && e.targetId === edit.targetId && e.conversationId === edit.conversationId && isUnsent(e));
  if (earlier) return { put: [{ ...earlier, body: edit.body }], remove: [] };
  return { put: [edit], remove: [] };
}

/**
 * A deletion: of my unsent message, the send leaves the outbox with every
 * unsent change to it (nothing goes out); else unsent edits and reactions
 * of the message are dropped (they would only be refused as GONE) and the
 * deletion is queued.
 */
export function mergeDelete(outbox: readonly OutboxEntry[], deletion: OutboxMessageChange & { kind: 'delete' }): MergeResult {
  const send = sendOf(outbox, deletion.targetId);
  const keys = new Set([deletion.targetId, ...(send ? [`local:${send.clientMessageId}`] : [])]);
  const obsolete = outbox.filter((e) => (e.kind === 'edit' || e.kind === 'react') && keys.has(e.targetId) && e.conversationId === deletion.conversationId && isUnsent(e)).map((e) => e.clientMessageId);
  if (send && isUnsent(send)) return { put: [], remove: [send.clientMessageId, ...obsolete] };
  return { put: [deletion], remove: obsolete };
}

/**
 * A reaction: toggled back while the earlier toggle is unsent, the two
 * cancel out (nothing goes out); the same toggle twice is queued once.
 */
export function mergeReact(outbox: readonly OutboxEntry[], react: OutboxReact): MergeResult {
  const earlier = outbox.find(
    (e): e is OutboxReact => e.kind === 'react' && e.targetId === react.targetId && e.emoji === react.emoji && e.conversationId === react.conversationId && isUnsent(e),
  );
  if (!earlier) return { put: [react], remove: [] };
  if (earlier.on === react.on) return { put: [], remove: [] };
  return { put: [], remove: [earlier.clientMessageId] };
}

/** The queued send of a `local:<clientMessageId>` message id, if it is still in the outbox. */
function sendOf(outbox: readonly OutboxEntry[], messageId: string): OutboxSend | undefined {
  if (!messageId.startsWith('local:')) return undefined;
  const clientMessageId = messageId.slice('local:'.length);
  return outbox.find((e): e is OutboxSend => e.kind === 'send' && e.clientMessageId === clientMessageId);
}

// The rules of docs/PROTOCOL.md section 8 that depend on the state of the
// conversation, checked and applied inside the writer's transaction
// (writer-batch.mjs): between a handler's checks and the commit another
// entry of the same batch, or of the batch before, may have deleted the
// target or removed the sender. Plain JavaScript for the writer thread.

/** Most different emoji on one message (section 8). */
export const MAX_EMOJI_PER_MESSAGE = 20;

/**
 * Prepares the statements once and returns `apply(request)`, for every
 * request but a plain send. It checks the request against the state in the
 * transaction and, when it is allowed, makes its effect (the target's new
 * body, deletion or reactions; the title; the members and owner). Answers:
 * `{error: {code, message}}` (nothing done), `{quiet: true, targetId?}`
 * (allowed, but nothing would change: no entry), or
 * `{targetId?, detail?, removed?}` for the entry to append at `seq`
 * (`detail`: what the entry carries besides its common fields, stored as
 * JSON; `removed`: members it removed).
 */
export function prepareEntryRules(db) {
  const memberStmt = db.prepare('SELECT joined_seq AS joinedSeq FROM members WHERE conversation_id = ? AND user_id = ?');
  const targetStmt = db.prepare(
    'SELECT seq, sender_id AS senderId, kind, deleted_at AS deletedAt, reactions FROM messages WHERE id = ? AND conversation_id = ?',
  );
  const editStmt = db.prepare('UPDATE messages SET body = ?, edited_at = ?, revision = ? WHERE conversation_id = ? AND seq = ?');
  // The content goes: the body, the reactions (and attachments, once they exist). The row keeps its place in the log.
  const deleteStmt = db.prepare("UPDATE messages SET body = '', reactions = NULL, deleted_at = ?, revision = ? WHERE conversation_id = ? AND seq = ?");
  const reactStmt = db.prepare('UPDATE messages SET reactions = ?, revision = ? WHERE conversation_id = ? AND seq = ?');
  const conversationStmt = db.prepare('SELECT kind, title, owner_id AS ownerId FROM conversations WHERE id = ?');
  const renameStmt = db.prepare('UPDATE conversations SET title = ? WHERE id = ?');
  const ownerStmt = db.prepare('UPDATE conversations SET owner_id = ? WHERE id = ?');
  const countStmt = db.prepare('SELECT COUNT(*) FROM members WHERE conversation_id = ?').pluck();
  const addStmt = db.prepare('INSERT INTO members (conversation_id, user_id, joined_seq, delivered_seq, read_seq) VALUES (?, ?, ?, ?, ?)');
  const removeStmt = db.prepare('DELETE FROM members WHERE conversation_id = ? AND user_id = ?');
  // The longest-standing member: the lowest joinedSeq, then the order they joined in (for founders: memberIds at creation).
  const nextOwnerStmt = db.prepare('SELECT user_id FROM members WHERE conversation_id = ? ORDER BY joined_seq, ord, user_id LIMIT 1').pluck();

  const error = (code, message) => ({ error: { code, message } });

  /** The message `id` of this conversation that a member with this floor may see, or an error. */
  const visibleMessage = (id, conversationId, floor, field) => {
    const target = targetStmt.get(id, conversationId);
    if (!target || target.kind !== 'message' || target.seq < floor) return { failed: error('NOT_FOUND', `${field}: no message ${id} in conversation ${conversationId}`) };
    return { target };
  };

  /** The sender's own message, not deleted: what an edit and a deletion need. */
  const ownMessage = (r, floor, verb) => {
    const found = visibleMessage(r.ref, r.conversationId, floor, 'targetId');
    if (found.failed) return found;
    if (found.target.senderId !== r.senderId) return { failed: error('FORBIDDEN', `only the sender of message ${r.ref} may ${verb} it`) };
    if (found.target.deletedAt !== null) return { failed: error('GONE', `message ${r.ref} was deleted`) };
    return found;
  };

  const group = (conversationId, what) => {
    const conversation = conversationStmt.get(conversationId);
    if (conversation.kind !== 'group') return { failed: error('INVALID_PAYLOAD', `conversation ${conversationId} is a direct conversation; only a group can ${what}`) };
    return { conversation };
  };

  const rules = {
    message(r) {
      // A reply: its message must be one the sender may see (a deleted one is allowed).
      const found = visibleMessage(r.ref, r.conversationId, r.floor, 'replyTo');
      return found.failed ?? {};
    },
    edit(r) {
      const found = ownMessage(r, r.floor, 'edit');
      if (found.failed) return found.failed;
      editStmt.run(r.text, r.now, r.seq, r.conversationId, found.target.seq);
      return { targetId: r.ref };
    },
    delete(r) {
      const found = ownMessage(r, r.floor, 'delete');
      if (found.failed) return found.failed;
      deleteStmt.run(r.now, r.seq, r.conversationId, found.target.seq);
      return { targetId: r.ref };
    },
    reaction(r) {
      const found = visibleMessage(r.ref, r.conversationId, r.floor, 'targetId');
      if (found.failed) return found.failed;
      const { target } = found;
      if (target.deletedAt !== null) return error('GONE', `message ${r.ref} was deleted`);
      const emoji = r.text;
      const on = r.arg === '1';
      const reactions = target.reactions ? JSON.parse(target.reactions) : {};
      const users = reactions[emoji] ?? [];
      const has = users.includes(r.senderId);
      if (has === on) return { quiet: true, targetId: r.ref };
      if (on) {
        if (users.length === 0 && Object.keys(reactions).length >= MAX_EMOJI_PER_MESSAGE) {
          return error('INVALID_PAYLOAD', `emoji: message ${r.ref} already carries ${MAX_EMOJI_PER_MESSAGE} different emoji, the most allowed; react with one of those`);
        }
        reactions[emoji] = [...users, r.senderId];
      } else {
        const left = users.filter((u) => u !== r.senderId);
        if (left.length > 0) reactions[emoji] = left;
        else delete reactions[emoji];
      }
      reactStmt.run(Object.keys(reactions).length > 0 ? JSON.stringify(reactions) : null, r.seq, r.conversationId, target.seq);
      return { targetId: r.ref, detail: { emoji, on } };
    },
    title(r) {
      const found = group(r.conversationId, 'be renamed');
      if (found.failed) return found.failed;
      if (found.conversation.title === r.text) return { quiet: true };
      renameStmt.run(r.text, r.conversationId);
      return { detail: { title: r.text } };
    },
    add(r) {
      const found = group(r.conversationId, 'have members added');
      if (found.failed) return found.failed;
      const max = Number(r.text);
      const added = [...new Set(JSON.parse(r.arg))].filter((userId) => memberStmt.get(r.conversationId, userId) === undefined);
      if (added.length === 0) return { quiet: true };
      const count = countStmt.get(r.conversationId);
      if (count + added.length > max) {
        return error('INVALID_PAYLOAD', `memberIds: a group has at most ${max} members; conversation ${r.conversationId} has ${count} and this would add ${added.length}`);
      }
      // A member added at seq J sees entries from J on: nothing before it is delivered or unread for them.
      for (const userId of added) addStmt.run(r.conversationId, userId, r.seq, r.seq - 1, r.seq - 1);
      return { detail: { added, removed: [] } };
    },
    remove(r) {
      const found = group(r.conversationId, 'have members removed');
      if (found.failed) return found.failed;
      const memberId = r.ref;
      if (memberStmt.get(r.conversationId, memberId) === undefined) return error('NOT_FOUND', `memberId: ${memberId} is not a member of conversation ${r.conversationId}`);
      const { ownerId } = found.conversation;
      if (memberId !== r.senderId && ownerId !== r.senderId) return error('FORBIDDEN', `only the owner of conversation ${r.conversationId} may remove other members; anyone may remove themself`);
      removeStmt.run(r.conversationId, memberId);
      // The owner left: the longest-standing member takes over; nobody left, nobody owns the (inert) group.
      if (ownerId === memberId) ownerStmt.run(nextOwnerStmt.get(r.conversationId) ?? null, r.conversationId);
      return { detail: { added: [], removed: [memberId] }, removed: [memberId] };
    },
  };

  return {
    /** `request`: {kind, conversationId, senderId, text, ref, arg, seq, now} as in writer-batch.mjs. */
    apply(request) {
      const member = memberStmt.get(request.conversationId, request.senderId);
      if (!member) return error('FORBIDDEN', `you are not a member of conversation ${request.conversationId}`);
      const rule = rules[request.kind];
      if (!rule) throw new Error(`unknown request kind ${request.kind}`);
      return rule({ ...request, floor: member.joinedSeq });
    },
  };
}

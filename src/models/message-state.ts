import type { Attachment, Conversation, ErrorCode, Message, Reactions } from '../protocol';
import type { ChangeError, OutboxEntry, OutboxMessageChange, StoredEntry } from '../store/records';

/** What a person sees next to their own message. Others' messages are always 'sent'. */
export type MessageState = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

/** The kinds of entry that are rows of a conversation's history: messages and system lines. */
export type RowKind = 'message' | 'members' | 'title';

/** A change made here to a message that the server has not acknowledged yet (the row already shows it unless failed). */
export interface PendingChange {
  clientMessageId: string;
  kind: 'edit' | 'delete' | 'reaction';
  state: 'pending' | 'failed';
  error?: { code: ErrorCode; message: string };
}

/**
 * A row as the views read it: a stored message or system line, or a local
 * echo not yet acknowledged (seq null). Every row has the message fields
 * (a system line's body is empty); system lines add `added`/`removed`
 * (kind members) or `title` (kind title).
 */
export interface MessageView extends Omit<Message, 'id' | 'seq' | 'kind'> {
  id: string;
  seq: number | null;
  kind: RowKind;
  state: MessageState;
  /** Set when state is 'failed': why the server refused it. */
  error?: { code: ErrorCode; message: string };
  /** Changes made here that the server has not acknowledged yet (body, reactions and deletion shown already include the pending ones). */
  pendingChanges?: PendingChange[];
  /** kind members: who was added and removed. */
  added?: string[];
  removed?: string[];
  /** kind title: the conversation's new title. */
  title?: string;
}

/** Whether a stored entry is a row of the history (a message or a system line), not a change's mark. */
export function isRow(entry: StoredEntry): entry is Exclude<StoredEntry, { kind: 'edit' | 'delete' | 'reaction' }> {
  return entry.kind === 'message' || entry.kind === 'members' || entry.kind === 'title';
}

/**
 * Delivery state of a message as the person sees it. Others' messages are
 * 'sent'. Own messages: pending or failed while in the outbox without a seq;
 * once stored by the server, sent, then delivered when every other member
 * stored it (`deliveredToAllSeq`), read when every other member saw it
 * (`readByAllSeq`): the conversation's summaries of section 7a.
 */
export function deriveState(message: Pick<Message, 'senderId'> & { seq: number | null }, conversation: Conversation | undefined, selfId: string | null, outbox?: OutboxEntry): MessageState {
  if (message.seq === null) return outbox?.state ?? 'pending';
  if (selfId === null || message.senderId !== selfId || !conversation) return 'sent';
  if (!conversation.memberIds.some((id) => id !== selfId)) return 'sent';
  if (conversation.readByAllSeq >= message.seq) return 'read';
  if (conversation.deliveredToAllSeq >= message.seq) return 'delivered';
  return 'sent';
}

const EMPTY_ROW = { body: '', replyTo: null, attachments: [] as Attachment[], reactions: {} as Reactions, editedAt: null, deletedAt: null };

/**
 * A stored row as the views read it, with the changes of mine still in the
 * outbox applied (optimistic): a pending edit's body, a pending deletion,
 * pending reactions. A failed change is listed but not applied: the row
 * shows the server's state and the failure's sentence.
 */
export function viewOfMessage(entry: StoredEntry, conversation: Conversation | undefined, selfId: string | null, changes: readonly OutboxMessageChange[] = []): MessageView {
  let view: MessageView;
  if (entry.kind === 'message') view = { ...entry, state: deriveState(entry, conversation, selfId) };
  else if (entry.kind === 'members') view = { ...EMPTY_ROW, ...entry, revision: entry.seq, state: 'sent' };
  else if (entry.kind === 'title') view = { ...EMPTY_ROW, ...entry, revision: entry.seq, state: 'sent' };
  else throw new Error(`a ${entry.kind} entry is not a row`);
  return withChanges(view, changes, selfId);
}

/** A local echo: an outbox entry that adds a row (a send, a rename, a change of members) before the server has given it a seq. */
export function viewOfOutboxEntry(entry: OutboxEntry, changes: readonly OutboxMessageChange[] = []): MessageView {
  const base = {
    ...EMPTY_ROW,
    id: `local:${entry.clientMessageId}`,
    conversationId: entry.conversationId,
    seq: null,
    senderId: entry.senderId,
    clientMessageId: entry.clientMessageId,
    sentAt: entry.createdAt,
    revision: 0,
    state: entry.state,
  };
  let view: MessageView;
  switch (entry.kind) {
    case 'send':
      view = { ...base, kind: 'message', body: entry.body, replyTo: entry.replyTo };
      break;
    case 'rename':
      view = { ...base, kind: 'title', title: entry.title };
      break;
    case 'addMembers':
      view = { ...base, kind: 'members', added: entry.memberIds, removed: [] };
      break;
    case 'removeMember':
      view = { ...base, kind: 'members', added: [], removed: [entry.memberId] };
      break;
    default:
      throw new Error(`a ${entry.kind} outbox entry is not a row`);
  }
  if (entry.error) view.error = entry.error;
  return withChanges(view, changes, entry.senderId);
}

/** Whether an outbox entry shows as a row of its own (a local echo). */
export function isRowEntry(entry: OutboxEntry): boolean {
  return entry.kind === 'send' || entry.kind === 'rename' || entry.kind === 'addMembers' || entry.kind === 'removeMember';
}

/** Applies my unacknowledged changes to a message row, oldest first, and lists them. */
function withChanges(view: MessageView, changes: readonly OutboxMessageChange[], selfId: string | null): MessageView {
  if (changes.length === 0 || view.kind !== 'message') return view;
  const ordered = [...changes].sort((a, b) => a.createdAt - b.createdAt || a.order - b.order);
  const out: MessageView = { ...view, reactions: { ...view.reactions } };
  const pendingChanges: PendingChange[] = [];
  for (const change of ordered) {
    const kind = change.kind === 'react' ? 'reaction' : change.kind;
    const listed: PendingChange = { clientMessageId: change.clientMessageId, kind, state: change.state };
    if (change.error) listed.error = change.error;
    pendingChanges.push(listed);
    if (change.state === 'failed' || out.deletedAt !== null) continue;
    if (change.kind === 'edit') {
      out.body = change.body;
      out.editedAt = change.createdAt;
    } else if (change.kind === 'delete') {
      Object.assign(out, { body: '', attachments: [], reactions: {}, deletedAt: change.createdAt });
    } else if (selfId !== null) {
      const who = (out.reactions[change.emoji] ?? []).filter((id) => id !== selfId);
      if (change.on) who.push(selfId);
      if (who.length) out.reactions[change.emoji] = who;
      else delete out.reactions[change.emoji];
    }
  }
  out.pendingChanges = pendingChanges;
  return out;
}

export type { ChangeError };

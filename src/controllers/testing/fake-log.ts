import { ProtocolError, type Conversation, type Entry, type MembersEntry, type Message, type TitleEntry } from '../../protocol';
import type { ChangeMark } from '../../store/records';

/** A member's place in a fake conversation: where they joined and their receipt positions. */
export interface FakeMember {
  joinedSeq: number;
  deliveredSeq: number;
  readSeq: number;
}

/** A conversation as the fake server keeps it: every member's positions (the views of section 7a are made per caller). */
export interface FakeConversation {
  id: string;
  kind: 'direct' | 'group';
  title: string;
  ownerId: string | null;
  memberIds: string[];
  latestSeq: number;
  updatedAt: number;
  members: Record<string, FakeMember>;
}

type Mark = ChangeMark;
/** What the log holds: messages as they are now, system lines, and changes without their target (served with the message as it is now). */
export type Logged = Message | MembersEntry | TitleEntry | Mark;

/** The answer of one writing command: its response name and payload (without requestId and duplicate). */
export interface WriteAnswer {
  name: string;
  payload: Record<string, unknown>;
}

const MAX_EMOJI_PER_MESSAGE = 20;

/**
 * The conversations and logs of the fake server (src/controllers/testing/
 * fake-server.ts), with the rules of section 8: gap-free seqs across kinds,
 * messages returned as they are now, who may edit, delete, rename, add and
 * remove, `GONE`, the visibility floor of a member added later. Throws
 * ProtocolError for a refusal, as the real server answers ErrorResponse.
 */
export class FakeLog {
  readonly conversations = new Map<string, FakeConversation>();
  readonly entries = new Map<string, Logged[]>();
  private counter = 0;

  addConversation(id: string, memberIds: string[], kind?: 'direct' | 'group'): FakeConversation {
    const members = Object.fromEntries(memberIds.map((m) => [m, { joinedSeq: 1, deliveredSeq: 0, readSeq: 0 }]));
    const resolvedKind = kind ?? (memberIds.length > 2 ? 'group' : 'direct');
    const conversation: FakeConversation = { id, kind: resolvedKind, title: '', ownerId: resolvedKind === 'group' ? memberIds[0]! : null, memberIds: [...memberIds], latestSeq: 0, updatedAt: 1, members };
    this.conversations.set(id, conversation);
    this.entries.set(id, []);
    return conversation;
  }

  /** The conversation as `userId` receives it (section 7a): own positions, the summaries over the others. */
  viewOf(conversationId: string, userId: string): Conversation {
    const c = this.conversations.get(conversationId)!;
    const others = c.memberIds.filter((id) => id !== userId);
    const lowest = (field: 'deliveredSeq' | 'readSeq'): number => (others.length ? Math.min(...others.map((id) => c.members[id]?.[field] ?? 0)) : 0);
    return {
      id: c.id,
      kind: c.kind,
      title: c.title,
      ownerId: c.ownerId,
      memberIds: [...c.memberIds],
      latestSeq: c.latestSeq,
      updatedAt: c.updatedAt,
      members: Object.fromEntries(c.memberIds.map((id) => [id, { joinedSeq: c.members[id]!.joinedSeq }])),
      myDeliveredSeq: c.members[userId]?.deliveredSeq ?? 0,
      myReadSeq: c.members[userId]?.readSeq ?? 0,
      deliveredToAllSeq: lowest('deliveredSeq'),
      readByAllSeq: lowest('readSeq'),
    };
  }

  /** An entry as served: a change carries its message as it is now. */
  serve(entry: Logged): Entry {
    if (entry.kind === 'edit' || entry.kind === 'delete' || entry.kind === 'reaction') return { ...entry, target: { ...this.message(entry.conversationId, entry.targetId)! } } as Entry;
    return entry.kind === 'message' ? { ...entry, reactions: cloneReactions(entry.reactions) } : ({ ...entry } as Entry);
  }

  /** The entries `userId` may see: from the seq they joined at (section 8's visibility floor). */
  visibleTo(conversationId: string, userId: string): Logged[] {
    const floor = this.conversations.get(conversationId)?.members[userId]?.joinedSeq ?? Infinity;
    return (this.entries.get(conversationId) ?? []).filter((e) => e.seq >= floor);
  }

  message(conversationId: string, id: string): Message | undefined {
    const found = this.entries.get(conversationId)?.find((e) => e.id === id);
    return found?.kind === 'message' ? found : undefined;
  }

  /** Appends a message (no rules checked: the tests' way to have someone write). */
  post(conversationId: string, senderId: string, body: string, clientMessageId: string, replyTo: string | null = null): Message {
    return this.append(conversationId, senderId, clientMessageId, (base) => ({
      ...base, kind: 'message', body, replyTo, attachments: [], reactions: {}, editedAt: null, deletedAt: null, revision: base.seq,
    }));
  }

  /** Runs one writing command for `userId` (membership already checked), returning its answer or throwing its refusal. */
  write(name: string, userId: string, p: Record<string, unknown>): WriteAnswer {
    const conversationId = p['conversationId'] as string;
    const clientMessageId = p['clientMessageId'] as string;
    const c = this.conversations.get(conversationId)!;
    const entryAnswer = (responseName: string, entry: Logged | null, extra: Record<string, unknown> = {}): WriteAnswer => ({
      name: responseName,
      payload: { clientMessageId, entry: entry ? this.serve(entry) : null, ...extra },
    });
    switch (name) {
      case 'SendMessageCommand': {
        const replyTo = (p['replyTo'] as string | null | undefined) ?? null;
        if (replyTo !== null && !this.visibleMessage(conversationId, userId, replyTo)) throw new ProtocolError('NOT_FOUND', `replyTo ${replyTo} is not a message of this conversation`);
        if (((p['attachments'] as unknown[] | undefined) ?? []).length > 0) throw new ProtocolError('NOT_FOUND', 'no such upload');
        const message = this.post(conversationId, userId, (p['body'] as string).trim(), clientMessageId, replyTo);
        return { name: 'SendMessageResponse', payload: { clientMessageId, message: this.serve(message) } };
      }
      case 'EditMessageCommand':
      case 'DeleteMessageCommand': {
        const target = this.target(conversationId, userId, p['targetId'] as string);
        if (target.senderId !== userId) throw new ProtocolError('FORBIDDEN', `only the sender may change message ${target.id}`);
        if (target.deletedAt !== null) throw new ProtocolError('GONE', `message ${target.id} was deleted`);
        const kind = name === 'EditMessageCommand' ? 'edit' : 'delete';
        const mark = this.append(conversationId, userId, clientMessageId, (base): Mark => ({ ...base, kind, targetId: target.id }));
        if (kind === 'edit') Object.assign(target, { body: (p['body'] as string).trim(), editedAt: mark.sentAt, revision: mark.seq });
        else Object.assign(target, { body: '', attachments: [], reactions: {}, deletedAt: mark.sentAt, revision: mark.seq });
        return entryAnswer(kind === 'edit' ? 'EditMessageResponse' : 'DeleteMessageResponse', mark);
      }
      case 'ReactCommand': {
        const target = this.target(conversationId, userId, p['targetId'] as string);
        if (target.deletedAt !== null) throw new ProtocolError('GONE', `message ${target.id} was deleted`);
        const emoji = p['emoji'] as string;
        const on = p['on'] as boolean;
        const who = target.reactions[emoji] ?? [];
        if (who.includes(userId) === on) return { name: 'ReactResponse', payload: { clientMessageId, entry: null, target: { ...target } } };
        if (on && !target.reactions[emoji] && Object.keys(target.reactions).length >= MAX_EMOJI_PER_MESSAGE) throw new ProtocolError('INVALID_PAYLOAD', `message ${target.id} already has ${MAX_EMOJI_PER_MESSAGE} different emoji`);
        const mark = this.append(conversationId, userId, clientMessageId, (base): Mark => ({ ...base, kind: 'reaction', targetId: target.id, emoji, on }));
        const next = on ? [...who, userId] : who.filter((id) => id !== userId);
        const reactions = { ...target.reactions };
        if (next.length) reactions[emoji] = next;
        else delete reactions[emoji];
        Object.assign(target, { reactions, revision: mark.seq });
        return entryAnswer('ReactResponse', mark, { target: { ...target } });
      }
      case 'RenameConversationCommand': {
        groupOnly(c);
        const title = (p['title'] as string).trim();
        if (title === c.title) return entryAnswer('RenameConversationResponse', null);
        const entry = this.append(conversationId, userId, clientMessageId, (base): TitleEntry => ({ ...base, kind: 'title', title }));
        c.title = title;
        return entryAnswer('RenameConversationResponse', entry);
      }
      case 'AddMembersCommand': {
        groupOnly(c);
        const added = [...new Set(p['memberIds'] as string[])].filter((id) => !c.memberIds.includes(id));
        if (added.length === 0) return entryAnswer('AddMembersResponse', null);
        const entry = this.append(conversationId, userId, clientMessageId, (base): MembersEntry => ({ ...base, kind: 'members', added, removed: [] }));
        for (const id of added) {
          c.memberIds.push(id);
          c.members[id] = { joinedSeq: entry.seq, deliveredSeq: 0, readSeq: 0 };
        }
        return entryAnswer('AddMembersResponse', entry);
      }
      case 'RemoveMemberCommand': {
        groupOnly(c);
        const memberId = p['memberId'] as string;
        if (memberId !== userId && c.ownerId !== userId) throw new ProtocolError('FORBIDDEN', 'only the owner may remove another member');
        if (!c.memberIds.includes(memberId)) return entryAnswer('RemoveMemberResponse', null);
        const entry = this.append(conversationId, userId, clientMessageId, (base): MembersEntry => ({ ...base, kind: 'members', added: [], removed: [memberId] }));
        c.memberIds = c.memberIds.filter((id) => id !== memberId);
        if (c.ownerId === memberId) c.ownerId = [...c.memberIds].sort((a, b) => c.members[a]!.joinedSeq - c.members[b]!.joinedSeq)[0] ?? null;
        return entryAnswer('RemoveMemberResponse', entry);
      }
      default:
        throw new ProtocolError('UNKNOWN_COMMAND', name);
    }
  }

  private append<T extends Logged>(conversationId: string, senderId: string, clientMessageId: string, make: (base: { id: string; conversationId: string; seq: number; senderId: string; clientMessageId: string; sentAt: number }) => T): T {
    const list = this.entries.get(conversationId)!;
    const conversation = this.conversations.get(conversationId)!;
    const seq = list.length + 1;
    const entry = make({ id: `m-${conversationId}-${seq}`, conversationId, seq, senderId, clientMessageId, sentAt: 1000 + ++this.counter });
    list.push(entry);
    conversation.latestSeq = seq;
    conversation.updatedAt = entry.sentAt;
    return entry;
  }

  private visibleMessage(conversationId: string, userId: string, id: string): Message | undefined {
    const message = this.message(conversationId, id);
    const floor = this.conversations.get(conversationId)?.members[userId]?.joinedSeq ?? Infinity;
    return message && message.seq >= floor ? message : undefined;
  }

  private target(conversationId: string, userId: string, id: string): Message {
    const message = this.visibleMessage(conversationId, userId, id);
    if (!message) throw new ProtocolError('NOT_FOUND', `targetId ${id} is not a message of this conversation`);
    return message;
  }
}

function groupOnly(c: FakeConversation): void {
  if (c.kind !== 'group') throw new ProtocolError('INVALID_PAYLOAD', `conversation ${c.id} is direct: only a group changes its title or members`);
}

function cloneReactions(reactions: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(reactions).map(([emoji, who]) => [emoji, [...who]]));
}

import type { Communicator } from '../communicator/communicator';
import { ProtocolError, type Entry, type ErrorCode, type Message } from '../protocol';
import type { ChangeError, OutboxEntry } from '../store/records';
import type { Store } from '../store/store';

/** What the server answered to an outbox entry: the entry it appended (null: nothing changed), and for a reaction the message now. */
export interface OutboxAnswer {
  clientMessageId: string;
  entry: Entry | null;
  target?: Message;
}

/** The answers to the outbox's commands, by name, as they also reach the bus when they come late. */
export const ANSWER_NAMES = [
  'SendMessageResponse',
  'EditMessageResponse',
  'DeleteMessageResponse',
  'ReactResponse',
  'RenameConversationResponse',
  'AddMembersResponse',
  'RemoveMemberResponse',
] as const;

/**
 * A message id in an outbox entry as the server knows it: `local:<cmid>`
 * is a message of mine that was still in the outbox when the person acted;
 * by the time the change goes out its send has been answered (a
 * conversation's entries go in order), so the stored message of mine with
 * that clientMessageId gives the id. Null when it never was sent.
 */
export function resolveMessageId(store: Store, conversationId: string, selfId: string, messageId: string): string | null {
  if (!messageId.startsWith('local:')) return messageId;
  const clientMessageId = messageId.slice('local:'.length);
  const messages = store.messagesOf(conversationId);
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.kind === 'message' && m.senderId === selfId && m.clientMessageId === clientMessageId) return m.id;
  }
  return null;
}

/** Sends the command of one outbox entry and resolves with its answer (or rejects like `communicator.request`). */
export async function transmitEntry(communicator: Communicator, entry: OutboxEntry, resolve: (messageId: string) => string | null, timeoutMs: number): Promise<OutboxAnswer> {
  const { conversationId, clientMessageId } = entry;
  const target = (messageId: string): string => {
    const id = resolve(messageId);
    if (id === null) throw new ProtocolError('NOT_FOUND', `message ${messageId} was never sent, so the change to it cannot be`);
    return id;
  };
  switch (entry.kind) {
    case 'send': {
      const replyTo = entry.replyTo === null ? null : target(entry.replyTo);
      const answer = await communicator.request('SendMessageCommand', { conversationId, clientMessageId, body: entry.body, ...(replyTo ? { replyTo } : {}) }, timeoutMs);
      return { clientMessageId: answer.clientMessageId, entry: answer.message };
    }
    case 'edit':
      return communicator.request('EditMessageCommand', { conversationId, clientMessageId, targetId: target(entry.targetId), body: entry.body }, timeoutMs);
    case 'delete':
      return communicator.request('DeleteMessageCommand', { conversationId, clientMessageId, targetId: target(entry.targetId) }, timeoutMs);
    case 'react':
      return communicator.request('ReactCommand', { conversationId, clientMessageId, targetId: target(entry.targetId), emoji: entry.emoji, on: entry.on }, timeoutMs);
    case 'rename':
      return communicator.request('RenameConversationCommand', { conversationId, clientMessageId, title: entry.title }, timeoutMs);
    case 'addMembers':
      return communicator.request('AddMembersCommand', { conversationId, clientMessageId, memberIds: entry.memberIds }, timeoutMs);
    case 'removeMember':
      return communicator.request('RemoveMemberCommand', { conversationId, clientMessageId, memberId: entry.memberId }, timeoutMs);
  }
}

/** The sentence shown on a change the server refused for good. */
export const REFUSAL_SENTENCES = {
  GONE: 'This message was deleted before your change arrived.',
  FORBIDDEN: 'You are no longer a member of this conversation.',
} as const;

/**
 * Why a change failed, in a sentence for the person: the server's refusal
 * as it applies to this kind of change. The server's own words (which name
 * the bad value) follow where the sentence alone would not say enough.
 */
export function refusalOf(entry: OutboxEntry, code: ErrorCode, serverMessage: string, stillMember: boolean): ChangeError {
  switch (code) {
    case 'GONE':
      return { code, message: REFUSAL_SENTENCES.GONE };
    case 'FORBIDDEN':
      if (!stillMember) return { code, message: REFUSAL_SENTENCES.FORBIDDEN };
      if (entry.kind === 'edit' || entry.kind === 'delete') return { code, message: 'Only the person who wrote this message can change it.' };
      if (entry.kind === 'removeMember') return { code, message: "Only the group's owner can remove other members." };
      if (entry.kind === 'addMembers') return { code, message: 'You can only add your own contacts to this group.' };
      return { code, message: REFUSAL_SENTENCES.FORBIDDEN };
    case 'NOT_FOUND':
      if (entry.kind === 'send') return { code, message: `This message could not be sent: ${serverMessage}` };
      return { code, message: `What this change was about is not in this conversation: ${serverMessage}` };
    default:
      return { code, message: `The server refused this change: ${serverMessage}` };
  }
}

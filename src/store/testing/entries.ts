import type { Conversation, Message } from '../../protocol';

/** A message entry as the server sends it, first stored (revision = seq): tests name only what they care about. */
export function wireMessage(fields: Pick<Message, 'id' | 'conversationId' | 'seq' | 'senderId' | 'clientMessageId' | 'body' | 'sentAt'> & Partial<Message>): Message {
  return { kind: 'message', replyTo: null, attachments: [], reactions: {}, editedAt: null, deletedAt: null, revision: fields.seq, ...fields };
}

/** A conversation entry of section 7a: members joined at 1, nobody's positions moved unless given. */
export function wireConversation(fields: Pick<Conversation, 'id' | 'memberIds'> & Partial<Conversation>): Conversation {
  return {
    kind: fields.memberIds.length > 2 ? 'group' : 'direct',
    title: '',
    ownerId: null,
    latestSeq: 0,
    updatedAt: 0,
    members: Object.fromEntries(fields.memberIds.map((id) => [id, { joinedSeq: 1 }])),
    myDeliveredSeq: 0,
    myReadSeq: 0,
    deliveredToAllSeq: 0,
    readByAllSeq: 0,
    ...fields,
  };
}

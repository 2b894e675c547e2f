import { describe, expect, it, vi } from 'vitest';
import type { Entry, Message } from './entities';
import { decodeFrame, encodeFrame, parseServerMessage } from './frame';
import { encodeMessagesChanged, encodeSendMessageResponse } from './message-frames';

const bodies = ['plain', 'quote " backslash \\ slash /', 'line\nbreak\ttab', 'emoji 😀 and \u2028\u2029 separators', '<script>alert(1)</script>', '\u0000\u001f control'];
const messages: Message[] = bodies.map((body, i) => ({
  id: `m_${i}"x`,
  conversationId: 'c_1',
  seq: i + 1,
  senderId: 'u_1',
  clientMessageId: `cm-${i}-\u00e9`,
  sentAt: 1_763_900_000_000 + i,
  kind: 'message',
  body,
  replyTo: i > 0 ? `m_${i - 1}"x` : null,
  attachments: [],
  reactions: i % 2 ? { '👍': ['u_1', 'u_2'] } : ({} as Record<string, string[]>),
  editedAt: null,
  deletedAt: null,
  revision: i + 1,
}));
/** Entries of the other kinds, each with what it carries (a target as it is now). */
const others: Entry[] = [
  { id: 'e_1', conversationId: 'c_1', seq: 10, senderId: 'u_1', clientMessageId: 'ce-1', sentAt: 1, kind: 'edit', targetId: messages[0]!.id, target: messages[0]! },
  { id: 'e_2', conversationId: 'c_1', seq: 11, senderId: 'u_2', clientMessageId: 'ce-2', sentAt: 2, kind: 'reaction', targetId: messages[1]!.id, target: messages[1]!, emoji: '👍', on: true },
  { id: 'e_3', conversationId: 'c_1', seq: 12, senderId: 'u_1', clientMessageId: 'ce-3', sentAt: 3, kind: 'members', added: ['u_3'], removed: [] },
  { id: 'e_4', conversationId: 'c_1', seq: 13, senderId: 'u_1', clientMessageId: 'ce-4', sentAt: 4, kind: 'title', title: 'Q "4"' },
];

describe('the spliced message frames', () => {
  it('are byte for byte what encodeFrame makes of the same payload, and valid frames of their schema', () => {
    const frames: [string, string][] = [];
    for (const m of messages) {
      for (const payload of [
        { clientMessageId: m.clientMessageId, message: m, duplicate: false },
        { clientMessageId: m.clientMessageId, message: m, duplicate: true, requestId: 'r"1' },
      ]) {
        frames.push([encodeSendMessageResponse(payload), encodeFrame('SendMessageResponse', payload)]);
      }
    }
    for (const list of [messages, [messages[0]!], [...messages, ...others]] as Entry[][]) {
      const payload = { resource: 'messages:c_1', version: list.length, ids: list.map((m) => m.id), items: Object.fromEntries(list.map((m) => [m.id, m])) };
      frames.push([encodeMessagesChanged(payload.resource, payload.version, list), encodeFrame('ResourceChangedNotification', payload)]);
    }
    for (const [spliced, encoded] of frames) {
      expect(spliced).toBe(encoded);
      expect(() => parseServerMessage(decodeFrame(spliced))).not.toThrow();
    }
  });

  it('stringify each message once for the ack and the notification', () => {
    const m = { ...messages[0]! };
    const spy = vi.spyOn(JSON, 'stringify');
    try {
      encodeSendMessageResponse({ clientMessageId: m.clientMessageId, message: m, duplicate: false });
      encodeMessagesChanged('messages:c_1', 1, [m]);
      expect(spy.mock.calls.filter(([value]) => value === m)).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });
});

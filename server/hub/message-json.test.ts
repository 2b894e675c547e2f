import { describe, expect, it, vi } from 'vitest';
import { encodeFrame, type Message } from '../../src/protocol/index';
import { encodeMessagesChanged, encodeSendResponse, messageJson } from './message-json';

const bodies = ['plain', 'quote " backslash \\ slash /', 'line\nbreak\ttab', 'emoji 😀 and \u2028\u2029 separators', '<script>alert(1)</script>', '\u0000\u001f control'];
const messages: Message[] = bodies.map((body, i) => ({
  id: `m_${i}"x`,
  conversationId: 'c_1',
  seq: i + 1,
  senderId: 'u_1',
  clientMessageId: `cm-${i}-\u00e9`,
  body,
  sentAt: 1_763_900_000_000 + i,
}));

describe('spliced message frames', () => {
  it('are byte for byte what encodeFrame makes of the same payload', () => {
    for (const m of messages) {
      expect(encodeSendResponse(m.clientMessageId, m, false)).toBe(encodeFrame('SendMessageResponse', { clientMessageId: m.clientMessageId, message: m, duplicate: false }));
      expect(encodeSendResponse(m.clientMessageId, m, true, 'r"1')).toBe(
        encodeFrame('SendMessageResponse', { clientMessageId: m.clientMessageId, message: m, duplicate: true, requestId: 'r"1' }),
      );
    }
    expect(encodeMessagesChanged('messages:c_1', 6, messages)).toBe(
      encodeFrame('ResourceChangedNotification', {
        resource: 'messages:c_1',
        version: 6,
        ids: messages.map((m) => m.id),
        items: Object.fromEntries(messages.map((m) => [m.id, m])),
      }),
    );
    expect(encodeMessagesChanged('messages:c_1', 1, [messages[0]!])).toBe(
      encodeFrame('ResourceChangedNotification', { resource: 'messages:c_1', version: 1, ids: [messages[0]!.id], items: { [messages[0]!.id]: messages[0] } }),
    );
  });

  it('stringifies each message once for the ack and the notification', () => {
    const m = { ...messages[0]! };
    const spy = vi.spyOn(JSON, 'stringify');
    try {
      const json = messageJson(m);
      encodeSendResponse(m.clientMessageId, m, false);
      encodeMessagesChanged('messages:c_1', 1, [m]);
      expect(spy.mock.calls.filter(([value]) => value === m)).toHaveLength(1);
      expect(JSON.parse(json)).toEqual(m);
    } finally {
      spy.mockRestore();
    }
  });
});

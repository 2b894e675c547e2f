import { describe, expect, it, vi } from 'vitest';
import type { Message } from './entities';
import { decodeFrame, encodeFrame, parseServerMessage } from './frame';
import { encodeMessagesChanged, encodeSendMessageResponse } from './message-frames';

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
    for (const list of [messages, [messages[0]!]]) {
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

import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, parseClientCommand, ProtocolError, bodyLength } from './index';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProtocolError) return e.code;
    throw e;
  }
  return undefined;
}

describe('frame codec', () => {
  it('round-trips a namespaced command', () => {
    const text = encodeFrame('PingCommand', { t: 5 });
    expect(text).toBe('{"com.comoyo.PingCommand":{"t":5}}');
    expect(decodeFrame(text)).toEqual({ name: 'PingCommand', payload: { t: 5 } });
  });

  it('codes each malformed frame', () => {
    expect(codeOf(() => decodeFrame('{'))).toBe('BAD_JSON');
    expect(codeOf(() => decodeFrame('[]'))).toBe('BAD_FRAME');
    expect(codeOf(() => decodeFrame('{"a":{},"b":{}}'))).toBe('BAD_FRAME');
    expect(codeOf(() => decodeFrame('{"org.other.PingCommand":{}}'))).toBe('BAD_FRAME');
    expect(codeOf(() => decodeFrame('{"com.comoyo.PingCommand":5}'))).toBe('BAD_FRAME');
    expect(codeOf(() => parseClientCommand(decodeFrame('{"com.comoyo.NopeCommand":{}}')))).toBe('UNKNOWN_COMMAND');
  });

  it('names the bad field of an invalid payload', () => {
    try {
      parseClientCommand(decodeFrame(encodeFrame('SendMessageCommand', { conversationId: 'c1', clientMessageId: 'x', body: '   ' })));
      expect.unreachable();
    } catch (e) {
      expect((e as ProtocolError).code).toBe('INVALID_PAYLOAD');
      expect((e as ProtocolError).message).toContain('body');
    }
  });

  it('folds usernames and ignores prototype keys', () => {
    const parsed = parseClientCommand(
      decodeFrame('{"com.comoyo.AccountCreateCommand":{"__proto__":{"x":1},"userInformation":{"username":"Alice","password":"12345678"}}}'),
    );
    expect(parsed.payload).toEqual({ userInformation: { username: 'alice', password: '12345678' } });
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it('counts body length in code points after trimming', () => {
    expect(bodyLength('  😀a  ')).toBe(2);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ClientCommandSchemas, type ClientCommandInputs, type ClientCommandName } from './commands';
import { ProtocolError } from './errors';
import { decodeFrame, encodeFrame, parseClientCommand, peekRequestId } from './frame';

/**
 * Every string field of every client command refuses text that is not
 * well-formed UTF-16 (a lone surrogate), naming the field, and accepts any
 * well-formed text the field's other rules allow. The fields are found by
 * walking the schemas, so a new command or field is covered without
 * touching this test; a new command needs only its valid samples below
 * (the type makes that list complete).
 */
const ID = 'c_AAAAAAAAAAAAAAAAAAAAAA';
const SAMPLES: { [K in ClientCommandName]: ClientCommandInputs[K][] } = {
  ClientRegistrationCommand: [{ requestId: 'r1', clientInformation: { clientMedium: 'web', clientVersion: '1', clientId: 'k' } }],
  AccountCreateCommand: [{ requestId: 'r1', userInformation: { username: 'alice', password: 'long enough', displayName: 'Alice' } }],
  AccountLoginCommand: [
    { requestId: 'r1', userInformation: { username: 'alice', password: 'long enough' }, publicComputer: false },
    { requestId: 'r1', userInformation: { sessionToken: 'token' } },
    { requestId: 'r1', userInformation: { useCookie: true } },
    { requestId: 'r1', userInformation: { username: 'alice', password: 'long enough' }, bindCookie: true },
  ],
  AccountLogoutCommand: [{ requestId: 'r1' }],
  PingCommand: [{ requestId: 'r1', t: 1 }],
  SubscribeCommand: [{ requestId: 'r1', resource: 'contacts' }],
  UnsubscribeCommand: [{ requestId: 'r1', resource: 'contacts' }],
  GetContactsCommand: [{ requestId: 'r1', ids: [ID], afterId: ID }],
  GetConversationsCommand: [{ requestId: 'r1', ids: [ID], afterId: ID }],
  GetMessagesCommand: [
    { requestId: 'r1', conversationId: ID, afterSeq: 0, limit: 10 },
    { requestId: 'r1', conversationId: ID, ids: [ID] },
  ],
  AddContactCommand: [{ requestId: 'r1', username: 'bob' }],
  CreateConversationCommand: [{ requestId: 'r1', memberIds: [ID], title: 'group' }],
  GetReceiptsCommand: [{ requestId: 'r1', conversationId: ID }],
  SendMessageCommand: [{ requestId: 'r1', conversationId: ID, clientMessageId: 'cm', body: 'hello', replyTo: ID }],
  EditMessageCommand: [{ requestId: 'r1', conversationId: ID, clientMessageId: 'cm', targetId: ID, body: 'hello' }],
  DeleteMessageCommand: [{ requestId: 'r1', conversationId: ID, clientMessageId: 'cm', targetId: ID }],
  ReactCommand: [{ requestId: 'r1', conversationId: ID, clientMessageId: 'cm', targetId: ID, emoji: '👍', on: true }],
  RenameConversationCommand: [{ requestId: 'r1', conversationId: ID, clientMessageId: 'cm', title: 'Trip' }],
  AddMembersCommand: [{ requestId: 'r1', conversationId: ID, clientMessageId: 'cm', memberIds: [ID] }],
  RemoveMemberCommand: [{ requestId: 'r1', conversationId: ID, clientMessageId: 'cm', memberId: ID }],
  AckMessagesCommand: [{ requestId: 'r1', conversationId: ID, seq: 1 }],
  MarkReadCommand: [{ requestId: 'r1', conversationId: ID, seq: 1 }],
  TypingCommand: [{ requestId: 'r1', conversationId: ID, typing: true }],
  UpdateProfileCommand: [{ requestId: 'r1', displayName: 'Alice A.' }],
  ChangePasswordCommand: [{ requestId: 'r1', currentPassword: 'long enough', newPassword: 'longer still' }],
  GetSessionsCommand: [{ requestId: 'r1' }],
  RevokeSessionCommand: [{ requestId: 'r1', sessionId: 's_AAAAAAAAAAAAAAAAAAAAAA' }, { requestId: 'r1', others: true }],
  AnswerContactRequestCommand: [{ requestId: 'r1', userId: ID, accept: true }],
  RemoveContactCommand: [{ requestId: 'r1', userId: ID }],
  BlockUserCommand: [{ requestId: 'r1', userId: ID, blocked: true }],
  SearchMessagesCommand: [{ requestId: 'r1', query: 'hello', conversationId: ID, beforeSeq: 5, limit: 10 }],
};

interface StringField {
  path: (string | number)[];
  /** The sample's value there (every sample above has a value at every string field). */
  value: string;
}

type Schema = z.ZodType & { def: Record<string, unknown> & { type: string } };

/** The string leaves of `schema` that `value` (valid for it) reaches, with their values. */
function stringFields(schema: Schema, value: unknown, path: (string | number)[] = []): StringField[] {
  const def = schema.def;
  switch (def.type) {
    case 'string':
      return typeof value === 'string' ? [{ path, value }] : [];
    case 'optional':
    case 'nullable':
    case 'default':
      return value === undefined ? [] : stringFields(def['innerType'] as Schema, value, path);
    case 'object': {
      const shape = def['shape'] as Record<string, Schema>;
      const record = value as Record<string, unknown>;
      return Object.entries(shape).flatMap(([key, s]) => stringFields(s, record[key], [...path, key]));
    }
    case 'array':
      return (value as unknown[]).flatMap((v, i) => stringFields(def['element'] as Schema, v, [...path, i]));
    case 'union': {
      const options = def['options'] as Schema[];
      const branch = options.find((o) => o.safeParse(value).success);
      return branch ? stringFields(branch, value, path) : [];
    }
    default:
      return [];
  }
}

function withValue(sample: unknown, path: (string | number)[], value: string): unknown {
  const copy = structuredClone(sample) as Record<string | number, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path[path.length - 1]!] = value;
  return copy;
}

/** What the server makes of a payload sent on the wire: null when accepted, else the refusal. */
function refusal(name: string, payload: unknown): ProtocolError | null {
  try {
    parseClientCommand(decodeFrame(encodeFrame(name, payload as object)));
    return null;
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw error;
  }
}

const FIELDS = (Object.keys(SAMPLES) as ClientCommandName[]).flatMap((name) =>
  SAMPLES[name].flatMap((sample) => stringFields(ClientCommandSchemas[name] as unknown as Schema, sample).map((field) => ({ name, sample, field }))),
);

/** A lone high or low surrogate. */
const loneSurrogate = fc.oneof(fc.integer({ min: 0xd800, max: 0xdbff }), fc.integer({ min: 0xdc00, max: 0xdfff })).map((c) => String.fromCharCode(c));

describe('well-formed strings', () => {
  it('finds the string fields of every command', () => {
    expect(FIELDS.length).toBeGreaterThanOrEqual(20);
    for (const { name, sample } of FIELDS) expect(refusal(name, sample), name).toBeNull();
    expect(FIELDS.map((f) => `${f.name} ${f.field.path.join('.')}`)).toContain('SendMessageCommand body');
    expect(FIELDS.map((f) => `${f.name} ${f.field.path.join('.')}`)).toContain('AccountCreateCommand userInformation.displayName');
  });

  it('refuses a lone surrogate anywhere in any string field with INVALID_PAYLOAD naming the field', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIELDS), loneSurrogate, fc.nat(), ({ name, sample, field }, bad, at) => {
        const i = at % (field.value.length + 1);
        const text = field.value.slice(0, i) + bad + field.value.slice(i);
        const error = refusal(name, withValue(sample, field.path, text));
        expect(error?.code, `${name} ${field.path.join('.')} = ${JSON.stringify(text)}`).toBe('INVALID_PAYLOAD');
        expect(error?.message).toContain(field.path.join('.'));
      }),
      { numRuns: 400 },
    );
  });

  it('refuses a frame whose JSON escapes spell a lone surrogate', () => {
    const error = refusal('SendMessageCommand', JSON.parse('{"conversationId":"c1","clientMessageId":"x","body":"x\\uD800y"}'));
    expect(error?.code).toBe('INVALID_PAYLOAD');
    expect(error?.message).toMatch(/body.*well-formed/);
  });

  it('never echoes a requestId that is not well-formed', () => {
    expect(peekRequestId({ requestId: 'r\uD800' })).toBeUndefined();
    expect(peekRequestId({ requestId: 'r\uD83D\uDE00' })).toBe('r\uD83D\uDE00');
  });

  it('accepts any well-formed text in a message body, surrogate pairs included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((s) => s.trim().length > 0), (body) => {
        expect(refusal('SendMessageCommand', { conversationId: ID, clientMessageId: 'cm', body })).toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});

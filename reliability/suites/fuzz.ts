import fc from 'fast-check';
import { ClientCommandSchemas, ERROR_CODES, PRE_LOGIN_COMMANDS, encodeFrame, fullCommandName, type ClientCommandName } from '../../src/protocol/index';
import { startServer, type RunningServer } from '../../server/app';
import { CHEAP_SCRYPT } from '../../server/test/harness';
import { FuzzSocket, type Outcome } from '../lib/fuzz-socket';
import { Report, type CheckRow } from '../lib/results';
import { seedWorld, type World } from '../lib/world';

/**
 * Bad input over the socket gateway: arbitrary bytes and text, arbitrary
 * JSON, deep nesting, huge numbers and strings, every field of every command
 * given every wrong type, `__proto__`/`constructor`/`prototype` keys, unknown
 * commands, commands out of order and valid commands with other users' ids.
 * Every answer must be a protocol frame; every error a known code other than
 * INTERNAL, with no stack trace or path; a close only with 1009 for an
 * oversize frame, 1008, or 1007 for invalid UTF-8 in a text frame (RFC 6455);
 * and a sentinel socket must keep being served.
 */
export interface FuzzSize {
  /** Random frames from fast-check (the exhaustive tables run in full on top). */
  randomFrames: number;
  /** Frames per batch between sentinel checks, and per socket before it is renewed. */
  batch: number;
}

export const FUZZ_SIZES: Record<'ci' | 'long', FuzzSize> = {
  ci: { randomFrames: 2500, batch: 250 },
  long: { randomFrames: 1_000_000, batch: 1000 },
};

type SocketState = 'fresh' | 'registered' | 'loggedIn';
interface FuzzFrame {
  data: string | Buffer;
  binary: boolean;
  state: SocketState;
  /** What the frame is, for the report. */
  kind: string;
}

const STACK = /\n\s+at |\bat \S+ \(|\(?\/[\w.-]+\/[\w./-]+:\d+|node:internal|file:\/\/|\.ts:\d+|node_modules/;
const COMMANDS = Object.keys(ClientCommandSchemas) as ClientCommandName[];
const WRONG_VALUES: unknown[] = [null, true, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, '', 'x'.repeat(5000), [], [[[]]], {}, { a: { b: {} } }, ['c_x']];

/** A well-formed payload of each command for the fuzz user (u2), aimed at real resources. */
function templates(w: World): Record<ClientCommandName, Record<string, unknown>> {
  const other = w.directIds[0]!; // users 0 and 1 only: not the fuzz user's
  return {
    ClientRegistrationCommand: { clientInformation: { clientMedium: 'web', clientVersion: 'fuzz', clientId: 'fuzz-client' } },
    AccountCreateCommand: { userInformation: { username: 'fuzz.created', password: 'password-123', displayName: 'F' } },
    AccountLoginCommand: { userInformation: { username: w.users[0]!.username, password: 'not-the-password' }, publicComputer: false },
    AccountLogoutCommand: {},
    PingCommand: { t: 1 },
    SubscribeCommand: { resource: `messages:${other}` },
    UnsubscribeCommand: { resource: `messages:${w.groupId}` },
    GetContactsCommand: { ids: [w.users[0]!.id] },
    GetConversationsCommand: { ids: [other, w.groupId] },
    GetMessagesCommand: { conversationId: other, afterSeq: 0, limit: 10 },
    AddContactCommand: { username: w.users[0]!.username },
    CreateConversationCommand: { memberIds: [w.users[0]!.id, w.users[1]!.id], title: 'fuzz' },
    SendMessageCommand: { conversationId: other, clientMessageId: 'fuzz-cm', body: 'hello' },
    AckMessagesCommand: { conversationId: other, seq: 1 },
    MarkReadCommand: { conversationId: other, seq: 1 },
    TypingCommand: { conversationId: other, typing: true },
    GetReceiptsCommand: { conversationId: w.groupId },
    SearchMessagesCommand: { query: 'hello', conversationId: other, limit: 10 },
    EditMessageCommand: { conversationId: other, clientMessageId: 'fuzz-ed', targetId: 'm_0', body: 'edited' },
    DeleteMessageCommand: { conversationId: other, clientMessageId: 'fuzz-del', targetId: 'm_0' },
    ReactCommand: { conversationId: other, clientMessageId: 'fuzz-re', targetId: 'm_0', emoji: '\u{1F44D}', on: true },
    RenameConversationCommand: { conversationId: w.groupId, clientMessageId: 'fuzz-rn', title: 'fuzz' },
    AddMembersCommand: { conversationId: w.groupId, clientMessageId: 'fuzz-add', memberIds: [w.users[0]!.id] },
    RemoveMemberCommand: { conversationId: w.groupId, clientMessageId: 'fuzz-rm', memberId: w.users[0]!.id },
    UpdateProfileCommand: { displayName: 'Fuzz' },
    ChangePasswordCommand: { currentPassword: 'not-the-password', newPassword: 'password-456' },
    GetSessionsCommand: {},
    RevokeSessionCommand: { sessionId: 's_AAAAAAAAAAAAAAAAAAAAAA' },
    AnswerContactRequestCommand: { userId: w.users[0]!.id, accept: false },
    RemoveContactCommand: { userId: w.users[1]!.id },
    BlockUserCommand: { userId: w.users[0]!.id, blocked: false },
  };
}

/** Every path to a value in a payload ("a", "a.b", "ids.0"). */
function paths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  const own = prefix.length ? [prefix] : [];
  return [...own, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

function setPath(value: Record<string, unknown>, path: string[], replacement: unknown): Record<string, unknown> {
  const copy = structuredClone(value) as Record<string, unknown>;
  let at: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[path[path.length - 1]!] = replacement;
  return copy;
}

/** Hand-written frames no generator is likely to hit. */
function specialFrames(w: World, max: number): FuzzFrame[] {
  const other = w.directIds[0]!;
  const frames: string[] = [
    '{"__proto__": {"polluted": true}}',
    '{"com.comoyo.__proto__": {}}',
    '{"com.comoyo.constructor": {}}',
    '{"com.comoyo.toString": {}}',
    '{"com.comoyo.hasOwnProperty": {}}',
    '{"com.comoyo.prototype": {}}',
    '{"constructor": {"prototype": {"polluted": true}}}',
    `{"com.comoyo.SendMessageCommand": {"__proto__": {"polluted": true}, "conversationId": "${other}", "clientMessageId": "p1", "body": "x"}}`,
    `{"com.comoyo.GetMessagesCommand": {"conversationId": "${w.groupId}", "constructor": {"prototype": {"polluted": true}}}}`,
    `{"com.comoyo.CreateConversationCommand": {"memberIds": ["__proto__", "constructor", "prototype"]}}`,
    `{"com.comoyo.SubscribeCommand": {"resource": "messages:__proto__"}}`,
    `{"com.comoyo.SubscribeCommand": {"resource": "__proto__"}}`,
    `{"com.comoyo.GetContactsCommand": {"ids": ["__proto__", "toString", "constructor"]}}`,
    `{"com.comoyo.AddContactCommand": {"username": "__proto__"}}`,
    `{"com.comoyo.AccountLoginCommand": {"userInformation": {"sessionToken": "__proto__"}}}`,
    `{"com.comoyo.AccountLoginCommand": {"userInformation": {"username": "__proto__", "password": "constructor"}}}`,
    `{"com.comoyo.GetMessagesCommand": {"conversationId": "${w.groupId}", "afterSeq": 1e400}}`,
    `{"com.comoyo.GetMessagesCommand": {"conversationId": "${w.groupId}", "afterSeq": -1e400, "limit": 123456789012345678901234567890}}`,
    `{"com.comoyo.AckMessagesCommand": {"conversationId": "${w.groupId}", "seq": 9007199254740993}}`,
    `{"com.comoyo.MarkReadCommand": {"conversationId": "${w.groupId}", "seq": 1e21}}`,
    `{"com.comoyo.PingCommand": {"t": 1e400}}`,
    `{"com.comoyo.PingCommand": {"t": -0}}`,
    `{"com.comoyo.SendMessageCommand": {"conversationId": "${w.groupId}", "clientMessageId": "big", "body": "${'y'.repeat(60_000)}"}}`,
    `{"com.comoyo.SendMessageCommand": {"conversationId": "${w.groupId}", "clientMessageId": "ws", "body": "${' '.repeat(5000)}"}}`,
    `{"com.comoyo.SendMessageCommand": {"conversationId": "${w.groupId}", "clientMessageId": "astral", "body": "${'\u{1F600}'.repeat(4001)}"}}`,
    '{"com.comoyo.PingCommand": {}, "com.comoyo.PingCommand": {}}',
    '{"com.comoyo.PingCommand": {}, "com.comoyo.AccountLogoutCommand": {}}',
    '{}',
    '[]',
    'null',
    '"com.comoyo.PingCommand"',
    '{"com.comoyo.PingCommand": null}',
    '{"com.comoyo.PingCommand": []}',
    '{"com.comoyo.PingCommand": "x"}',
    '{"com.comoyo.": {}}',
    '{"com.comoyo.PingCommand ": {}}',
    '{"COM.COMOYO.PingCommand": {}}',
    '\u0000',
    '',
  ];
  // Deep nesting at several depths, as the payload and inside a field.
  for (const depth of [100, 1000, 10_000, 30_000]) {
    frames.push(`{"com.comoyo.PingCommand": {"deep": ${'['.repeat(depth)}${']'.repeat(depth)}}}`);
    frames.push(`{"com.comoyo.SubscribeCommand": {"resource": ${'{"a":'.repeat(Math.min(depth, 12_000))}1${'}'.repeat(Math.min(depth, 12_000))}}}`);
  }
  const out: FuzzFrame[] = [];
  for (const state of ['fresh', 'registered', 'loggedIn'] as const) for (const f of frames) out.push({ data: f, binary: false, state, kind: 'special' });
  // Oversize: just over the frame limit (closes with 1009), and invalid UTF-8 in a text frame (1007).
  out.push({ data: `{"com.comoyo.PingCommand": {"pad": "${'z'.repeat(max)}"}}`, binary: false, state: 'loggedIn', kind: 'oversize' });
  out.push({ data: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), binary: false, state: 'loggedIn', kind: 'invalid-utf8' });
  out.push({ data: Buffer.from('{"com.comoyo.PingCommand": {}}'), binary: true, state: 'loggedIn', kind: 'binary' });
  return out;
}

/** Each command's template with each field set to each wrong type, in each state. */
function wrongTypeFrames(w: World): FuzzFrame[] {
  const out: FuzzFrame[] = [];
  const t = templates(w);
  for (const name of COMMANDS) {
    for (const path of paths(t[name])) {
      for (const value of WRONG_VALUES) out.push({ data: encodeFrame(name, setPath(t[name], path, value)), binary: false, state: 'loggedIn', kind: 'wrong-type' });
    }
    // Unknown extra keys, and the whole payload replaced.
    out.push({ data: encodeFrame(name, { ...t[name], extra: { nested: [1, 2, 3] } }), binary: false, state: 'loggedIn', kind: 'wrong-type' });
    for (const value of WRONG_VALUES) out.push({ data: `{"${fullCommandName(name)}": ${JSON.stringify(value)}}`, binary: false, state: 'loggedIn', kind: 'wrong-type' });
  }
  return out;
}

/** Each well-formed command before registration and before login. */
function lifecycleFrames(w: World): FuzzFrame[] {
  const t = templates(w);
  return COMMANDS.flatMap((name) => [
    { data: encodeFrame(name, { ...t[name], requestId: 'order' }), binary: false, state: 'fresh' as const, kind: `order:${name}` },
    { data: encodeFrame(name, { ...t[name], requestId: 'order' }), binary: false, state: 'registered' as const, kind: `order:${name}` },
  ]);
}

function randomFrames(w: World, count: number, seed: number): FuzzFrame[] {
  const t = templates(w);
  const state = fc.constantFrom<SocketState>('fresh', 'registered', 'loggedIn', 'loggedIn', 'loggedIn');
  const names = fc.oneof(fc.constantFrom(...COMMANDS), fc.string({ maxLength: 30 }), fc.constantFrom('FooCommand', 'constructor', '__proto__', 'toString'));
  const weird = fc.oneof(
    fc.constantFrom(...WRONG_VALUES),
    fc.jsonValue({ maxDepth: 4 }),
    fc.string({ unit: 'binary', maxLength: 100 }),
    fc.double(),
    fc.bigInt().map((b) => Number(b)),
  );
  const arb: fc.Arbitrary<FuzzFrame> = fc.oneof(
    fc.record({ data: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)), binary: fc.constant(true), state, kind: fc.constant('bytes') }),
    fc.record({ data: fc.string({ unit: 'binary', maxLength: 300 }), binary: fc.constant(false), state, kind: fc.constant('text') }),
    fc.record({ data: fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v) ?? 'null'), binary: fc.constant(false), state, kind: fc.constant('json') }),
    fc.record({
      data: fc.tuple(names, fc.jsonValue({ maxDepth: 5 })).map(([n, p]) => `{${JSON.stringify(fullCommandName(n))}: ${JSON.stringify(p) ?? 'null'}}`),
      binary: fc.constant(false),
      state,
      kind: fc.constant('random-payload'),
    }),
    fc.record({
      data: fc
        .tuple(fc.constantFrom(...COMMANDS), fc.nat(), weird, fc.boolean())
        .map(([n, i, v, proto]) => {
          const ps = paths(t[n]);
          const payload = ps.length ? setPath(t[n], ps[i % ps.length]!, v) : { ...t[n] };
          const text = encodeFrame(n, payload);
          return proto ? text.replace(/\{"(?!com\.comoyo)/, '{"__proto__": {"polluted": true}, "') : text;
        }),
      binary: fc.constant(false),
      state,
      kind: fc.constant('mutated'),
    }),
  );
  return fc.sample(arb, { seed, numRuns: count });
}

export async function runFuzz(size: FuzzSize, seed: number, log: (line: string) => void = () => {}): Promise<Report> {
  const report = new Report('fuzz', size === FUZZ_SIZES.long ? 'long' : 'ci', seed, log);
  const crashes: string[] = [];
  const onCrash = (e: unknown): void => void crashes.push(String(e));
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const protoBefore = Object.getOwnPropertyNames(Object.prototype).join();
  let server: RunningServer | null = null;
  const sockets: FuzzSocket[] = [];
  try {
    // Rate limits are raised so every frame reaches validation; the limiter has its own tests.
    server = await startServer({ port: 0, dbPath: ':memory:', logLevel: 'silent', scrypt: CHEAP_SCRYPT, limits: { commandsPerSecond: 1e6, commandBurst: 1e6 } });
    const s = server;
    const world = await seedWorld(s.seeder, 3, 'fuzz');
    const fuzzUser = world.users[2]!;
    let tokenN = 0;
    const maxFrame = s.config.limits.maxFrameBytes;

    const sentinel = await FuzzSocket.open(s.wsUrl);
    sockets.push(sentinel);
    await sentinel.call('ClientRegistrationCommand', { clientInformation: { clientMedium: 'web' } });
    await sentinel.call('AccountLoginCommand', { userInformation: { sessionToken: world.users[0]!.token } });

    const open = async (state: SocketState): Promise<FuzzSocket> => {
      const sock = await FuzzSocket.open(s.wsUrl);
      sockets.push(sock);
      if (state !== 'fresh') await sock.call('ClientRegistrationCommand', { clientInformation: { clientMedium: 'web' } });
      if (state === 'loggedIn') {
        const token = `fuzz-session-${seed}-${tokenN++}-${'t'.repeat(16)}`;
        s.seeder.sessions([{ userId: fuzzUser.id, token }]);
        const r = await sock.call('AccountLoginCommand', { userInformation: { sessionToken: token } });
        if (r.payload['loggedIn'] !== true) throw new Error('fuzz login failed');
      }
      return sock;
    };

    const frames = report.row('frames answered as the protocol says', 'each frame: replies are protocol frames, errors carry a known code (not INTERNAL), closes only 1007/1008/1009');
    const leaks = report.row('no stack traces or paths', 'every ErrorResponse message checked for "at" frames, file paths, node_modules');
    const order = report.row('commands out of order', 'each command before registration -> NOT_REGISTERED (Ping answered); before login -> NOT_AUTHENTICATED (pre-login commands excepted)');
    const sentinelRow = report.row('other sockets keep being served', 'a logged-in sentinel socket pings and reads its conversations between batches');
    const crashRow = report.row('server process never crashes', 'uncaught exceptions, unhandled rejections, Object.prototype pollution');
    const closes: Record<string, number> = {};
    const codes: Record<string, number> = {};
    const kinds: Record<string, number> = {};

    const judge = (f: FuzzFrame, o: Outcome): void => {
      frames.count++;
      kinds[f.kind.startsWith('order:') ? 'order' : f.kind] = (kinds[f.kind.startsWith('order:') ? 'order' : f.kind] ?? 0) + 1;
      const what = `${f.kind} in state ${f.state}: ${typeof f.data === 'string' ? f.data.slice(0, 120) : `<${f.data.length} bytes>`}`;
      if (o.timedOut) report.fail(frames, `no answer within 5 s to ${what}`);
      for (const u of o.unreadable) report.fail(frames, `unreadable reply ${JSON.stringify(u)} to ${what}`);
      for (const r of o.replies) {
        if (r.name !== 'ErrorResponse') continue;
        const code = String(r.payload['code']);
        codes[code] = (codes[code] ?? 0) + 1;
        if (!(ERROR_CODES as readonly string[]).includes(code) || code === 'INTERNAL') report.fail(frames, `${code}: ${String(r.payload['message'])} for ${what}`);
        leaks.count++;
        if (typeof r.payload['message'] !== 'string' || STACK.test(r.payload['message'])) report.fail(leaks, `message ${JSON.stringify(r.payload['message'])} for ${what}`);
      }
      if (o.closed) {
        closes[o.closed.code] = (closes[o.closed.code] ?? 0) + 1;
        const bytes = typeof f.data === 'string' ? Buffer.byteLength(f.data) : f.data.length;
        const expected = bytes > maxFrame ? 1009 : f.kind === 'invalid-utf8' ? 1007 : null;
        if (o.closed.code !== expected) report.fail(frames, `closed with ${o.closed.code} (${o.closed.reason}) after ${what}`);
      }
      if (f.kind.startsWith('order:')) {
        const name = f.kind.slice(6) as ClientCommandName;
        order.count++;
        const reply = o.replies.find((r) => r.payload['requestId'] === 'order');
        const code = reply?.name === 'ErrorResponse' ? reply.payload['code'] : null;
        const wanted =
          f.state === 'fresh'
            ? name === 'PingCommand' || name === 'ClientRegistrationCommand'
              ? null
              : 'NOT_REGISTERED'
            : PRE_LOGIN_COMMANDS.has(name)
              ? null
              : 'NOT_AUTHENTICATED';
        if (wanted !== null && code !== wanted) report.fail(order, `${name} in state ${f.state} answered ${reply?.name ?? 'nothing'} ${String(code ?? '')}`);
        if (wanted === null && (code === 'NOT_REGISTERED' || code === 'NOT_AUTHENTICATED')) report.fail(order, `${name} in state ${f.state} refused with ${String(code)}`);
      }
    };

    const checkSentinel = async (): Promise<void> => {
      sentinelRow.count++;
      try {
        const r = await sentinel.call('GetConversationsCommand', { requestId: `s${sentinelRow.count}` }, 3000);
        if (r.name !== 'ConversationsResponse') report.fail(sentinelRow, `sentinel got ${r.name}`);
      } catch (error) {
        report.fail(sentinelRow, `sentinel: ${(error as Error).message}`);
      }
      crashRow.count++;
      if (Object.getOwnPropertyNames(Object.prototype).join() !== protoBefore || ({} as Record<string, unknown>)['polluted'] !== undefined) {
        report.fail(crashRow, 'Object.prototype was changed');
      }
    };

    // One socket per state, renewed every batch and after any close.
    const all: FuzzFrame[] = [...lifecycleFrames(world), ...specialFrames(world, maxFrame), ...wrongTypeFrames(world), ...randomFrames(world, size.randomFrames, seed)];
    const current = new Map<SocketState, { sock: FuzzSocket; used: number }>();
    const started = Date.now();
    for (let i = 0; i < all.length; i++) {
      const f = all[i]!;
      // Lifecycle frames need a socket in exactly that state, every time.
      let slot = current.get(f.state);
      if (!slot || !slot.sock.open || slot.used >= size.batch || f.kind.startsWith('order:')) {
        slot?.sock.close();
        slot = { sock: await open(f.state), used: 0 };
        current.set(f.state, slot);
      }
      slot.used++;
      judge(f, await slot.sock.exchange(f.data, f.binary));
      if ((i + 1) % size.batch === 0) {
        await checkSentinel();
        if ((i + 1) % (size.batch * 20) === 0) log(`fuzz: ${i + 1}/${all.length} frames`);
      }
    }
    await checkSentinel();
    for (const c of crashes) report.fail(crashRow, c);
    frames.figures = { ...Object.fromEntries(Object.entries(kinds).map(([k, v]) => [`kind:${k}`, v])), ...Object.fromEntries(Object.entries(codes).map(([k, v]) => [`code:${k}`, v])), ...Object.fromEntries(Object.entries(closes).map(([k, v]) => [`close:${k}`, v])), seconds: Math.round((Date.now() - started) / 1000) };
    report.note(`fuzz: ${frames.count} frames, codes ${JSON.stringify(codes)}, closes ${JSON.stringify(closes)}`);
  } finally {
    for (const sock of sockets) sock.close();
    await server?.close();
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  }
  return report;
}

export type { CheckRow };

import fc from 'fast-check';
import type { Socket } from 'node:net';
import { MAX_INCOMING_FRAME_BYTES, MAX_REPLY_BYTES, bodyLength } from '../../src/protocol/index';
import { startServer, type RunningServer } from '../../server/app';
import { CHEAP_SCRYPT, testPasswordHash } from '../../server/test/harness';
import { ProtocolClient } from '../../server/test/protocol-client';
import { Report, type CheckRow } from '../lib/results';
import { sleep } from '../lib/wait';

/**
 * What one user can do to what others read. Strings that are not
 * well-formed (lone surrogates) in every field a client writes; well-formed
 * ones of every kind, from many sockets at once, read back exactly as
 * acknowledged; history of the longest, most escaped bodies paged within
 * the largest reply; a group flood from many sockets of several accounts
 * against one victim's conversation list; a victim added by thousands; and
 * a reader that asks for large replies and never reads them; one user's
 * sends and contact adds from many sockets against the per-user quotas. Each check
 * counts what was tried and what got through.
 */
export interface AbuseDataSize {
  /** Random strings sent as bodies (and as much bad input again). */
  strings: number;
  /** Sockets each concurrent attack uses. */
  sockets: number;
  /** Messages of the longest escaped body in the history that is paged. */
  historyMessages: number;
  /** Accounts flooding the victim with groups, and the members each group asks for. */
  groupAttackers: number;
  groupMembers: number;
  /** Accounts that add the victim as a contact. */
  adders: number;
  /** Page requests sent by a client that reads nothing. */
  unreadRequests: number;
}

export const ABUSE_DATA_SIZES: Record<'ci' | 'long', AbuseDataSize> = {
  ci: { strings: 300, sockets: 8, historyMessages: 500, groupAttackers: 3, groupMembers: 100, adders: 300, unreadRequests: 150 },
  long: { strings: 5000, sockets: 40, historyMessages: 3000, groupAttackers: 30, groupMembers: 500, adders: 3000, unreadRequests: 1000 },
};

const GROUPS_PER_HOUR = 20;
const MAX_BUFFERED = 4 * 1024 * 1024;
/** What loopback TCP buffers may hold between a paused reader and the server (seen: 3-25 MB). */
const KERNEL_BUFFERS = 40 * 1024 * 1024;

interface Ctx {
  server: RunningServer;
  report: Report;
  size: AbuseDataSize;
  seed: number;
  clients: ProtocolClient[];
  hash: string;
  tokens: number;
}

export async function runAbuseData(size: AbuseDataSize, seed: number, log: (line: string) => void = () => {}): Promise<Report> {
  const report = new Report('abuse-data', size === ABUSE_DATA_SIZES.long ? 'long' : 'ci', seed, log);
  // The per-socket command rate is raised: these attacks are about what is stored and served, and the
  // limiter (with its own tests) would only slow the set-up. Every other limit is the default.
  const server = await startServer({
    port: 0,
    dbPath: ':memory:',
    logLevel: 'silent',
    scrypt: CHEAP_SCRYPT,
    limits: { commandsPerSecond: 1e6, commandBurst: 1e6, groupsPerHour: GROUPS_PER_HOUR },
    maxBufferedBytes: MAX_BUFFERED,
  });
  const ctx: Ctx = { server, report, size, seed, clients: [], hash: await testPasswordHash(), tokens: 0 };
  try {
    await strings(ctx);
    await history(ctx);
    await groupFlood(ctx);
    await contactFlood(ctx);
    await unreadReplies(ctx);
    await userQuotas(ctx);
  } finally {
    for (const c of ctx.clients) c.ws.terminate();
    await server.close();
  }
  return report;
}

/** Its own server with small per-user quotas: one user's sends and contact adds from many sockets at once. */
async function userQuotas(ctx: Ctx): Promise<void> {
  const { report, size } = ctx;
  const sends = 100;
  const contacts = 20;
  const row = report.row('per-user quotas hold across sockets', `one user sends ${3 * sends} messages and adds ${3 * contacts} contacts from ${size.sockets} sockets at once, against quotas of ${sends} a minute and ${contacts} an hour`);
  const server = await startServer({
    port: 0,
    dbPath: ':memory:',
    logLevel: 'silent',
    scrypt: CHEAP_SCRYPT,
    limits: { commandsPerSecond: 1e6, commandBurst: 1e6, sendsPerUserPerMinute: sends, contactsPerUserPerHour: contacts },
  });
  const own: Ctx = { ...ctx, server, clients: [] };
  try {
    const [spammer, target] = users(own, 'spammer', 2) as [string, string];
    users(own, 'stranger', 3 * contacts);
    server.seeder.contacts([[spammer, target]]);
    const conv = server.seeder.conversation({ memberIds: [spammer, target] });
    const sockets = await Promise.all(Array.from({ length: size.sockets }, () => socketFor(own, spammer)));
    const sent = await spread(sockets, Array.from({ length: 3 * sends }, (_, i) => i), (client, i) =>
      client.request('SendMessageCommand', { conversationId: conv, clientMessageId: `spam-${i}`, body: 'spam' }, 20_000),
    );
    const added = await spread(sockets, Array.from({ length: 3 * contacts }, (_, i) => i), (client, i) => client.request('AddContactCommand', { username: `stranger${i}` }, 20_000));
    row.count = sent.length + added.length;
    const stored = server.db.prepare('SELECT COUNT(*) FROM messages WHERE sender_id = ?').pluck().get(spammer) as number;
    const acked = sent.filter((f) => f.name === 'SendMessageResponse').length;
    const contactRows = server.db.prepare('SELECT COUNT(*) FROM contacts WHERE user_id = ?').pluck().get(spammer) as number;
    if (stored > sends || acked > sends) report.fail(row, `${acked} sends acknowledged and ${stored} stored, over ${sends}`);
    if (contactRows > contacts + 1) report.fail(row, `${contactRows - 1} contacts added, over ${contacts}`);
    const wrong = [...sent, ...added].filter((f) => f.name === 'ErrorResponse' && f.payload['code'] !== 'RATE_LIMITED');
    if (wrong.length) report.fail(row, `refused otherwise: ${JSON.stringify(wrong[0]!.payload).slice(0, 160)}`);
    row.figures = { sendsAcknowledged: acked, sendsStored: stored, contactsAdded: contactRows - 1 };
  } finally {
    for (const c of own.clients) c.ws.terminate();
    await server.close();
  }
}

/** A logged-in socket for a seeded user (by a seeded token: no scrypt per login). */
async function socketFor(ctx: Ctx, userId: string): Promise<ProtocolClient> {
  const token = `abuse-data-token-${++ctx.tokens}-${'x'.repeat(32)}`;
  ctx.server.seeder.sessions([{ userId, token }]);
  const client = await ProtocolClient.connect(ctx.server.wsUrl, { timeoutMs: 10_000 });
  ctx.clients.push(client);
  await client.register();
  const login = await client.call('AccountLoginCommand', { userInformation: { sessionToken: token } }, 'AccountLoginResponse');
  if (!login.loggedIn) throw new Error(`login of ${userId} failed`);
  return client;
}

/** Records every frame's size on a socket. */
function frameSizes(client: ProtocolClient): number[] {
  const sizes: number[] = [];
  client.ws.on('message', (data: Buffer) => sizes.push(data.length));
  return sizes;
}

function checkFrames(ctx: Ctx, row: CheckRow, sizes: number[], what: string): number {
  const largest = Math.max(0, ...sizes);
  if (largest > MAX_REPLY_BYTES) ctx.report.fail(row, `${what}: a frame of ${largest} bytes, over MAX_REPLY_BYTES ${MAX_REPLY_BYTES}`);
  if (largest > MAX_INCOMING_FRAME_BYTES) ctx.report.fail(row, `${what}: a frame of ${largest} bytes the client refuses`);
  return largest;
}

function users(ctx: Ctx, prefix: string, count: number): string[] {
  return ctx.server.seeder.users(Array.from({ length: count }, (_, i) => ({ username: `${prefix}${i}`, passwordHash: ctx.hash })));
}

/** Each of `items` handled by one of `clients`, all clients at once. */
async function spread<T, R>(clients: ProtocolClient[], items: T[], work: (client: ProtocolClient, item: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  await Promise.all(
    clients.map(async (client, c) => {
      for (let i = c; i < items.length; i += clients.length) results[i] = await work(client, items[i]!, i);
    }),
  );
  return results;
}

const withLoneSurrogate = (text: string, at: number, unit: number): string => text.slice(0, at) + String.fromCharCode(unit) + text.slice(at);

async function strings(ctx: Ctx): Promise<void> {
  const { server, report, size } = ctx;
  const roundTrip = report.row('well-formed strings read back as acknowledged', `${size.strings} random bodies (any code point: control characters, NUL, surrogate pairs, combining marks) sent from ${size.sockets} sockets at once, then fetched from history`);
  const refused = report.row('lone surrogates refused in every field', `${size.strings} bodies, display names, titles, usernames, clientMessageIds and requestIds with a lone surrogate: INVALID_PAYLOAD naming the field, nothing stored`);
  const [writer, reader, friend] = users(ctx, 'writer', 3) as [string, string, string];
  server.seeder.contacts([
    [writer, reader],
    [writer, friend],
  ]);
  const conv = server.seeder.conversation({ memberIds: [writer, reader] });
  const sockets = await Promise.all(Array.from({ length: size.sockets }, () => socketFor(ctx, writer)));
  const bodies = fc.sample(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }).filter((s) => bodyLength(s) >= 1 && bodyLength(s) <= 4000),
    { numRuns: size.strings, seed: ctx.seed },
  );
  const acked = await spread(sockets, bodies, async (client, body, i) => {
    roundTrip.count++;
    const frame = await client.request('SendMessageCommand', { conversationId: conv, clientMessageId: `rt-${i}`, body });
    if (frame.name !== 'SendMessageResponse') {
      report.fail(roundTrip, `body ${JSON.stringify(body.slice(0, 40))} answered ${JSON.stringify(frame.payload).slice(0, 200)}`);
      return null;
    }
    const message = frame.payload['message'] as { id: string; body: string };
    if (message.body !== body.trim()) report.fail(roundTrip, `acknowledged ${JSON.stringify(message.body.slice(0, 40))} for ${JSON.stringify(body.slice(0, 40))}`);
    return message;
  });
  const readerSocket = await socketFor(ctx, reader);
  const stored = new Map<string, string>();
  for (let afterSeq = 0; ; ) {
    const page = await readerSocket.call('GetMessagesCommand', { conversationId: conv, afterSeq, limit: 500 }, 'MessagesResponse');
    const list = Object.values(page.messages);
    for (const m of list) if (m.kind === 'message') stored.set(m.id, m.body);
    if (!page.hasMore || list.length === 0) break;
    afterSeq = Math.max(...list.map((m) => m.seq));
  }
  for (const m of acked) if (m && stored.get(m.id) !== m.body) report.fail(roundTrip, `history has ${JSON.stringify(stored.get(m.id)?.slice(0, 40))}, the ack had ${JSON.stringify(m.body.slice(0, 40))}`);
  roundTrip.figures = { acknowledged: acked.filter(Boolean).length, readBackIdentical: acked.filter((m) => m && stored.get(m.id) === m.body).length };

  const before = server.db.prepare('SELECT (SELECT COUNT(*) FROM messages) + (SELECT COUNT(*) FROM conversations) + (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM contacts)').pluck();
  const countBefore = before.get() as number;
  const cases = fc.sample(
    fc.record({
      field: fc.constantFrom('body', 'displayName', 'title', 'username', 'clientMessageId', 'requestId'),
      text: fc.string({ unit: 'grapheme-ascii', minLength: 3, maxLength: 30 }),
      at: fc.nat(),
      unit: fc.oneof(fc.integer({ min: 0xd800, max: 0xdbff }), fc.integer({ min: 0xdc00, max: 0xdfff })),
    }),
    { numRuns: size.strings, seed: ctx.seed + 1 },
  );
  const anonymous = await ProtocolClient.connect(server.wsUrl);
  ctx.clients.push(anonymous);
  await anonymous.register();
  const answers = await spread([...sockets, anonymous], cases, async (client, c, i) => {
    const bad = withLoneSurrogate(c.text, c.at % (c.text.length + 1), c.unit);
    const sample: Record<string, () => Promise<{ name: string; payload: Record<string, unknown> }>> = {
      body: () => client.request('SendMessageCommand', { conversationId: conv, clientMessageId: `bad-${i}`, body: bad }),
      clientMessageId: () => client.request('SendMessageCommand', { conversationId: conv, clientMessageId: bad, body: 'fine' }),
      title: () => client.request('CreateConversationCommand', { memberIds: [reader, friend], title: bad }),
      username: () => client.request('AddContactCommand', { username: bad }),
      displayName: () => anonymous.request('AccountCreateCommand', { userInformation: { username: `newcomer${i}`, password: 'long enough password', displayName: bad } }),
      // A requestId is echoed: a malformed one is refused and never echoed back.
      requestId: () => {
        client.ws.send(JSON.stringify({ 'com.comoyo.SendMessageCommand': { conversationId: conv, clientMessageId: `rid-${i}`, body: 'fine', requestId: bad } }));
        return client.waitFor(
          (f) =>
            (f.name === 'ErrorResponse' && f.payload['command'] === 'SendMessageCommand' && String(f.payload['message']).includes('requestId')) ||
            (f.name === 'SendMessageResponse' && f.payload['clientMessageId'] === `rid-${i}`),
          5000,
          'an answer',
        );
      },
    };
    refused.count++;
    try {
      return { field: c.field, frame: await sample[c.field]!() };
    } catch (error) {
      return { field: c.field, frame: { name: 'nothing', payload: { error: String(error).slice(0, 100) } } };
    }
  });
  const byField: Record<string, number> = {};
  for (const { field, frame } of answers) {
    byField[field] = (byField[field] ?? 0) + 1;
    if (frame.name !== 'ErrorResponse' || frame.payload['code'] !== 'INVALID_PAYLOAD' || !String(frame.payload['message']).includes(field)) {
      report.fail(refused, `${field}: answered ${frame.name} ${JSON.stringify(frame.payload).slice(0, 160)}`);
    }
  }
  const countAfter = before.get() as number;
  if (countAfter !== countBefore) report.fail(refused, `${countAfter - countBefore} rows were stored from refused commands`);
  const mangled = server.db.prepare("SELECT COUNT(*) FROM messages WHERE instr(body, char(65533)) > 0").pluck().get() as number;
  const sentMangled = bodies.filter((b) => b.includes('\uFFFD')).length;
  if (mangled > sentMangled) report.fail(refused, `${mangled} stored bodies hold U+FFFD, ${sentMangled} were sent with one`);
  refused.figures = { ...byField, rowsStoredFromRefused: countAfter - countBefore };
  for (const s of sockets) s.ws.terminate();
}

async function history(ctx: Ctx): Promise<void> {
  const { server, report, size } = ctx;
  const row = report.row('history pages fit the client', `${size.historyMessages} messages of 4,000 control characters (6 bytes each in JSON) sent from ${size.sockets} sockets at once, then paged forward and back with limit 500`);
  const [sender, victim] = users(ctx, 'historian', 2) as [string, string];
  server.seeder.contacts([[sender, victim]]);
  const conv = server.seeder.conversation({ memberIds: [sender, victim] });
  const sockets = await Promise.all(Array.from({ length: size.sockets }, () => socketFor(ctx, sender)));
  const body = '\u0001'.repeat(4000);
  await spread(sockets, Array.from({ length: size.historyMessages }, (_, i) => i), async (client, i) => {
    const frame = await client.request('SendMessageCommand', { conversationId: conv, clientMessageId: `h-${i}`, body }, 20_000);
    if (frame.name !== 'SendMessageResponse') report.fail(row, `send ${i} answered ${JSON.stringify(frame.payload).slice(0, 160)}`);
  });
  for (const s of sockets) s.ws.terminate();
  const reader = await socketFor(ctx, victim);
  const sizes = frameSizes(reader);
  const forward: number[] = [];
  let pages = 0;
  for (let afterSeq = 0; pages < 10_000; pages++) {
    row.count++;
    const page = await reader.call('GetMessagesCommand', { conversationId: conv, afterSeq, limit: 500 }, 'MessagesResponse');
    const seqs = Object.values(page.messages).map((m) => m.seq);
    forward.push(...seqs);
    if (!page.hasMore || seqs.length === 0) break;
    afterSeq = Math.max(...seqs);
  }
  const backward: number[] = [];
  for (let beforeSeq = size.historyMessages + 1; ; ) {
    row.count++;
    const page = await reader.call('GetMessagesCommand', { conversationId: conv, beforeSeq, limit: 500 }, 'MessagesResponse');
    const seqs = Object.values(page.messages).map((m) => m.seq);
    backward.unshift(...seqs);
    if (!page.hasMore || seqs.length === 0) break;
    beforeSeq = Math.min(...seqs);
  }
  const all = Array.from({ length: size.historyMessages }, (_, i) => i + 1);
  if (forward.join() !== all.join()) report.fail(row, `paging forward reached ${forward.length} of ${all.length} messages (or out of order / twice)`);
  if (backward.join() !== all.join()) report.fail(row, `paging back reached ${backward.length} of ${all.length} messages (or out of order / twice)`);
  const largest = checkFrames(ctx, row, sizes, 'history');
  // What one uncut page of 500 would have been: the reason for the cut.
  const uncut = 500 * Buffer.byteLength(JSON.stringify({ id: 'm_AAAAAAAAAAAAAAAAAAAAAA', conversationId: conv, seq: 1, senderId: sender, clientMessageId: 'h-0', body, sentAt: Date.now() }));
  row.figures = { pagesForward: pages + 1, largestFrameBytes: largest, uncutPageBytes: uncut, maxReplyBytes: MAX_REPLY_BYTES };
  reader.ws.terminate();
}

async function groupFlood(ctx: Ctx): Promise<void> {
  const { server, report, size } = ctx;
  const row = report.row(
    'a group flood stays bounded',
    `${size.groupAttackers} accounts with ${size.groupMembers - 1} contacts each (the victim among them) try ${GROUPS_PER_HOUR * 3} groups of ${size.groupMembers} each from ${size.sockets} sockets at once, and groups over maxGroupMembers; then the victim pages its conversation list`,
  );
  const [victim] = users(ctx, 'victim', 1) as [string];
  const crowd = users(ctx, 'crowd', size.groupMembers - 2);
  const attackers = users(ctx, 'attacker', size.groupAttackers);
  const oversized = users(ctx, 'extra', 501);
  for (const a of attackers) server.seeder.contacts([victim, ...crowd, ...oversized].map((m) => [a, m]));
  const made: string[] = [];
  let rateLimited = 0;
  let oversizedRefused = 0;
  const started = Date.now();
  for (const attacker of attackers) {
    const sockets = await Promise.all(Array.from({ length: size.sockets }, () => socketFor(ctx, attacker)));
    const tries = Array.from({ length: GROUPS_PER_HOUR * 3 }, (_, i) => i);
    const answers = await spread(sockets, tries, (client, i) => client.request('CreateConversationCommand', { memberIds: [victim, ...crowd], title: `flood ${i}` }, 20_000));
    let mine = 0;
    for (const a of answers) {
      row.count++;
      if (a.name === 'CreateConversationResponse') {
        mine++;
        made.push((a.payload['conversation'] as { id: string }).id);
      } else if (a.payload['code'] === 'RATE_LIMITED') rateLimited++;
      else report.fail(row, `a flood group answered ${JSON.stringify(a.payload).slice(0, 160)}`);
    }
    if (mine > GROUPS_PER_HOUR) report.fail(row, `one account created ${mine} groups in an hour, over ${GROUPS_PER_HOUR}`);
    row.count++;
    const big = await sockets[0]!.request('CreateConversationCommand', { memberIds: [victim, ...oversized] });
    if (big.payload['code'] === 'INVALID_PAYLOAD') oversizedRefused++;
    else report.fail(row, `a group of ${oversized.length + 2} answered ${big.name} ${JSON.stringify(big.payload).slice(0, 120)}`);
    for (const s of sockets) s.ws.terminate();
  }
  const floodMs = Date.now() - started;
  const reader = await socketFor(ctx, victim);
  const sizes = frameSizes(reader);
  const seen: string[] = [];
  let pages = 0;
  const listStarted = Date.now();
  for (let afterId: string | undefined; pages < 10_000; ) {
    pages++;
    const page = await reader.call('GetConversationsCommand', afterId === undefined ? {} : { afterId }, 'ConversationsResponse');
    seen.push(...Object.keys(page.conversations));
    if (!page.hasMore || page.lastId === undefined) break;
    afterId = page.lastId;
  }
  const listMs = Date.now() - listStarted;
  if (new Set(seen).size !== seen.length) report.fail(row, 'a conversation came twice in the paged list');
  const missing = made.filter((id) => !seen.includes(id));
  if (missing.length) report.fail(row, `${missing.length} of the victim's conversations never came in the paged list`);
  const largest = checkFrames(ctx, row, sizes, 'conversations list');
  row.figures = {
    groupsCreated: made.length,
    rateLimited,
    oversizedRefused,
    floodMs,
    victimListPages: pages,
    victimListBytes: sizes.reduce((a, b) => a + b, 0),
    largestFrameBytes: largest,
    victimListMs: listMs,
  };
  reader.ws.terminate();
}

async function contactFlood(ctx: Ctx): Promise<void> {
  const { server, report, size } = ctx;
  const row = report.row('a much-added contact list stays bounded', `${size.adders} accounts with 64-character escaped display names add one victim, from ${size.sockets} sockets at once; then the victim pages its contacts`);
  const [victim] = server.seeder.users([{ username: 'popular', passwordHash: ctx.hash }]) as [string];
  const adders = ctx.server.seeder.users(Array.from({ length: size.adders }, (_, i) => ({ username: `adder${i}`, displayName: '\u0001'.repeat(64), passwordHash: ctx.hash })));
  const tokens = adders.map((userId, i) => ({ userId, token: `abuse-data-adder-${i}-${'y'.repeat(32)}` }));
  server.seeder.sessions(tokens);
  const sockets = await Promise.all(
    Array.from({ length: size.sockets }, async () => {
      const client = await ProtocolClient.connect(server.wsUrl, { timeoutMs: 10_000 });
      ctx.clients.push(client);
      await client.register();
      return client;
    }),
  );
  await spread(sockets, tokens, async (client, t) => {
    row.count++;
    // One socket logs in as one adder after another (a login switches the socket's session).
    const login = await client.call('AccountLoginCommand', { userInformation: { sessionToken: t.token } }, 'AccountLoginResponse');
    if (!login.loggedIn) return report.fail(row, 'an adder could not log in');
    const added = await client.request('AddContactCommand', { username: 'popular' });
    if (added.name !== 'AddContactResponse') report.fail(row, `adding answered ${JSON.stringify(added.payload).slice(0, 120)}`);
  });
  for (const s of sockets) s.ws.terminate();
  const reader = await socketFor(ctx, victim);
  const sizes = frameSizes(reader);
  const seen: string[] = [];
  let pages = 0;
  for (let afterId: string | undefined; pages < 10_000; ) {
    pages++;
    const page = await reader.call('GetContactsCommand', afterId === undefined ? {} : { afterId }, 'ContactsResponse');
    seen.push(...Object.keys(page.contacts));
    if (!page.hasMore || page.lastId === undefined) break;
    afterId = page.lastId;
  }
  if (new Set(seen).size !== seen.length) report.fail(row, 'a contact came twice in the paged list');
  if (seen.length !== adders.length) report.fail(row, `${seen.length} of ${adders.length} contacts came in the paged list`);
  row.figures = { pages, largestFrameBytes: checkFrames(ctx, row, sizes, 'contacts list'), listBytes: sizes.reduce((a, b) => a + b, 0) };
  reader.ws.terminate();
}

async function unreadReplies(ctx: Ctx): Promise<void> {
  const { server, report, size } = ctx;
  const row = report.row('a client that stops reading is cut off', `${size.unreadRequests} requests for 1 MiB history pages from a socket that reads nothing (maxBufferedBytes ${MAX_BUFFERED})`);
  const [sender, idle] = users(ctx, 'sleeper', 2) as [string, string];
  const conv = server.seeder.conversation({ memberIds: [sender, idle] });
  server.seeder.messages(conv, Array.from({ length: 200 }, () => ({ senderId: sender, body: '\u0001'.repeat(4000) })));
  const client = await socketFor(ctx, idle);
  let received = 0;
  client.ws.on('message', (data: Buffer) => (received += data.length));
  const tcp = (client.ws as unknown as { _socket: Socket })._socket;
  const open = server.connectionCount();
  tcp.pause();
  for (let i = 0; i < size.unreadRequests; i++) {
    row.count++;
    client.send('GetMessagesCommand', { conversationId: conv, afterSeq: 0, limit: 500, requestId: `unread-${i}` });
  }
  // Still not reading until the server lets the socket go (bounded: a server that never does fails below).
  for (let waited = 0; waited < 20_000 && server.connectionCount() >= open; waited += 50) await sleep(50);
  tcp.resume();
  const closed = await Promise.race([client.closed, sleep(15_000).then(() => null)]);
  if (!closed) report.fail(row, 'the socket was not closed');
  // The server holds at most MAX_BUFFERED and one reply; the loopback's kernel buffers (both ends,
  // autotuned) hold more, outside the server's heap and bounded by the system, not by what was asked.
  const bound = MAX_BUFFERED + MAX_REPLY_BYTES + KERNEL_BUFFERS;
  if (received > bound) report.fail(row, `it was sent ${received} bytes, over ${bound}`);
  // Another socket of the same server is still served.
  const other = await socketFor(ctx, sender);
  const pong = await other.request('PingCommand', {});
  if (pong.name !== 'PongResponse') report.fail(row, 'the server stopped answering others');
  row.figures = { receivedBytes: received, wouldHaveBeenBytes: size.unreadRequests * MAX_REPLY_BYTES, closeCode: closed?.code ?? 'none' };
}

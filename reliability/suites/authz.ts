import { startServer, type RunningServer } from '../../server/app';
import { CHEAP_SCRYPT, testPasswordHash } from '../../server/test/harness';
import { FuzzSocket } from '../lib/fuzz-socket';
import { Report } from '../lib/results';
import { sleep } from '../lib/wait';

/**
 * Authorization matrix: every command that touches a resource, tried as
 * nobody (registered, not logged in), as an outsider (logged in, not a
 * member, not a contact) and as a member. Only members succeed; outsiders
 * get the coded refusal and never see a byte of the conversation; nothing an
 * outsider does changes what members have.
 */
export interface AuthzSize {
  repeats: number;
}

export const AUTHZ_SIZES: Record<'ci' | 'long', AuthzSize> = { ci: { repeats: 2 }, long: { repeats: 100 } };

type Role = 'nobody' | 'outsider' | 'member';
interface Cell {
  command: string;
  payload: (n: number) => Record<string, unknown>;
  /** What each role must get: a reply name, or an error code. */
  expect: Record<Role, string>;
  /** Extra check of the reply's content for the outsider. */
  outsiderSees?: (payload: Record<string, unknown>) => string | null;
}

const SECRET = 'the members-only secret';

export async function runAuthz(size: AuthzSize, log: (line: string) => void = () => {}): Promise<Report> {
  const report = new Report('authz', size === AUTHZ_SIZES.long ? 'long' : 'ci', null, log);
  let server: RunningServer | null = null;
  const socks: FuzzSocket[] = [];
  try {
    // Rate limits are raised: the long run sends thousands of commands as fast as one socket can,
    // and a RATE_LIMITED answer (or the 1008 close of a socket still flooding) would hide the
    // authorization answer this matrix is about. The limiter has its own tests (server/gateway).
    server = await startServer({ port: 0, dbPath: ':memory:', logLevel: 'silent', scrypt: CHEAP_SCRYPT, limits: { commandsPerSecond: 1e6, commandBurst: 1e6 } });
    const s = server;
    const hash = await testPasswordHash();
    const [a, b, o, p] = s.seeder.users(['member.a', 'member.b', 'outsider', 'outsider.friend'].map((username) => ({ username, passwordHash: hash }))) as [string, string, string, string];
    s.seeder.sessions([
      { userId: a, token: 'authz-token-member-a-xxxxxxxxxxxxxxxxxxxxxx' },
      { userId: o, token: 'authz-token-outsider-xxxxxxxxxxxxxxxxxxxxxx' },
    ]);
    s.seeder.contacts([
      [a, b],
      [o, p],
    ]);
    const d = s.seeder.conversation({ memberIds: [a, b] });
    s.seeder.messages(d, [{ senderId: a, body: SECRET, clientMessageId: 'member-cm-1' }]);

    const memberSessionIds = s.db.prepare('SELECT id FROM sessions WHERE user_id = ?').pluck().all(a) as string[];
    const connect = async (token: string | null): Promise<FuzzSocket> => {
      const sock = await FuzzSocket.open(s.wsUrl);
      socks.push(sock);
      await sock.call('ClientRegistrationCommand', { clientInformation: { clientMedium: 'web' } });
      if (token) await sock.call('AccountLoginCommand', { userInformation: { sessionToken: token } });
      return sock;
    };
    const as: Record<Role, FuzzSocket> = {
      nobody: await connect(null),
      outsider: await connect('authz-token-outsider-xxxxxxxxxxxxxxxxxxxxxx'),
      member: await connect('authz-token-member-a-xxxxxxxxxxxxxxxxxxxxxx'),
    };
    // The member's second socket watches the conversation; it must see members' traffic only.
    const watcher = await connect('authz-token-member-a-xxxxxxxxxxxxxxxxxxxxxx');
    await watcher.call('SubscribeCommand', { resource: `messages:${d}` });

    const noSecret = (p: Record<string, unknown>): string | null => {
      const text = JSON.stringify(p);
      // Echoing an id the outsider sent tells them nothing; contents, members and positions would.
      return text.includes(SECRET) || /memberIds|latestSeq|"members"|"messages"/.test(text) ? `reply shows the conversation: ${text.slice(0, 200)}` : null;
    };
    const cells: Cell[] = [
      { command: 'SubscribeCommand', payload: () => ({ resource: `messages:${d}` }), expect: { nobody: 'NOT_AUTHENTICATED', outsider: 'FORBIDDEN', member: 'SubscribeResponse' } },
      { command: 'GetMessagesCommand', payload: () => ({ conversationId: d }), expect: { nobody: 'NOT_AUTHENTICATED', outsider: 'FORBIDDEN', member: 'MessagesResponse' } },
      {
        command: 'SendMessageCommand',
        payload: (n) => ({ conversationId: d, clientMessageId: `authz-${n}`, body: `authz ${n}` }),
        expect: { nobody: 'NOT_AUTHENTICATED', outsider: 'FORBIDDEN', member: 'SendMessageResponse' },
      },
      // The outsider reuses the member's clientMessageId: idempotency is per sender, so this must not return the member's message.
      { command: 'SendMessageCommand', payload: () => ({ conversationId: d, clientMessageId: 'member-cm-1', body: 'guess' }), expect: { nobody: 'NOT_AUTHENTICATED', outsider: 'FORBIDDEN', member: 'SendMessageResponse' } },
      { command: 'AckMessagesCommand', payload: () => ({ conversationId: d, seq: 1 }), expect: { nobody: 'NOT_AUTHENTICATED', outsider: 'FORBIDDEN', member: 'AckMessagesResponse' } },
      { command: 'MarkReadCommand', payload: () => ({ conversationId: d, seq: 1 }), expect: { nobody: 'NOT_AUTHENTICATED', outsider: 'FORBIDDEN', member: 'MarkReadResponse' } },
      { command: 'TypingCommand', payload: () => ({ conversationId: d, typing: true }), expect: { nobody: 'NOT_AUTHENTICATED', outsider: 'FORBIDDEN', member: 'none' } },
      {
        command: 'GetConversationsCommand',
        payload: () => ({ ids: [d] }),
        expect: { nobody: 'NOT_AUTHENTICATED', outsider: 'ConversationsResponse', member: 'ConversationsResponse' },
        outsiderSees: noSecret,
      },
      { command: 'GetConversationsCommand', payload: () => ({}), expect: { nobody: 'NOT_AUTHENTICATED', outsider: 'ConversationsResponse', member: 'ConversationsResponse' }, outsiderSees: noSecret },
      { command: 'GetContactsCommand', payload: () => ({ ids: [a, b] }), expect: { nobody: 'NOT_AUTHENTICATED', outsider: 'ContactsResponse', member: 'ContactsResponse' }, outsiderSees: (pl) => (JSON.stringify(pl).includes(b) ? 'outsider sees a non-contact' : null) },
      { command: 'CreateConversationCommand', payload: () => ({ memberIds: [a] }), expect: { nobody: 'NOT_AUTHENTICATED', outsider: 'FORBIDDEN', member: 'INVALID_PAYLOAD' } },
      { command: 'CreateConversationCommand', payload: () => ({ memberIds: [b] }), expect: { nobody: 'NOT_AUTHENTICATED', outsider: 'FORBIDDEN', member: 'CreateConversationResponse' }, outsiderSees: noSecret },
      { command: 'CreateConversationCommand', payload: () => ({ memberIds: [p, a] }), expect: { nobody: 'NOT_AUTHENTICATED', outsider: 'FORBIDDEN', member: 'FORBIDDEN' } },
      // AddContact is open to every logged-in user by design (docs/PROTOCOL.md section 4): only nobody is refused.
      { command: 'AddContactCommand', payload: () => ({ username: 'member.b' }), expect: { nobody: 'NOT_AUTHENTICATED', outsider: 'skip', member: 'AddContactResponse' } },
      { command: 'UnsubscribeCommand', payload: () => ({ resource: `messages:${d}` }), expect: { nobody: 'NOT_AUTHENTICATED', outsider: 'UnsubscribeResponse', member: 'UnsubscribeResponse' } },
      // Account and sessions (docs/PROTOCOL.md sections 11-12): an outsider sees only their own, and cannot end the member's session.
      {
        command: 'GetSessionsCommand',
        payload: () => ({}),
        expect: { nobody: 'NOT_AUTHENTICATED', outsider: 'SessionsResponse', member: 'SessionsResponse' },
        outsiderSees: (pl) => (memberSessionIds.some((id) => JSON.stringify(pl).includes(id)) ? "outsider sees the member's session" : null),
      },
      { command: 'RevokeSessionCommand', payload: () => ({ sessionId: memberSessionIds[0]! }), expect: { nobody: 'NOT_AUTHENTICATED', outsider: 'NOT_FOUND', member: 'skip' } },
      { command: 'AnswerContactRequestCommand', payload: () => ({ userId: b, accept: true }), expect: { nobody: 'NOT_AUTHENTICATED', outsider: 'NOT_FOUND', member: 'AnswerContactRequestResponse' } },
      { command: 'RemoveContactCommand', payload: () => ({ userId: b }), expect: { nobody: 'NOT_AUTHENTICATED', outsider: 'NOT_FOUND', member: 'skip' } },
    ];

    const rows = { nobody: report.row('as nobody', 'each command, registered but not logged in: NOT_AUTHENTICATED'), outsider: report.row('as an outsider', 'each command as a logged-in non-member, non-contact: refused (FORBIDDEN) or shown nothing of the conversation'), member: report.row('as a member', 'each command as a member: succeeds') };
    const effects = report.row('outsiders change nothing', "after the outsider's attempts: no message stored, receipts unmoved, no typing shown, no notification received, member still subscribed");
    const seqBefore = s.storage.conversations.latestSeq(d);
    const receiptsBefore = JSON.stringify(s.db.prepare('SELECT * FROM members WHERE conversation_id = ?').all(d));

    for (let n = 0; n < size.repeats; n++) {
      for (const role of ['nobody', 'outsider'] as const) {
        for (const cell of cells) {
          const want = cell.expect[role];
          if (want === 'skip') continue;
          rows[role].count++;
          const o = await as[role].exchange(JSON.stringify({ [`com.comoyo.${cell.command}`]: { ...cell.payload(n), requestId: 'q' } }), false);
          const reply = o.replies.find((r) => r.payload['requestId'] === 'q');
          const got = reply ? (reply.name === 'ErrorResponse' ? String(reply.payload['code']) : reply.name) : 'none';
          if (got !== want) report.fail(rows[role], `${cell.command} ${JSON.stringify(cell.payload(n))}: got ${got}, expected ${want}`);
          if (role === 'outsider' && reply) {
            const leak = cell.outsiderSees?.(reply.payload) ?? noSecret(reply.payload);
            if (leak) report.fail(rows.outsider, `${cell.command}: ${leak}`);
          }
        }
      }
      effects.count++;
      if (s.storage.conversations.latestSeq(d) !== seqBefore) report.fail(effects, `latestSeq moved from ${seqBefore} to ${s.storage.conversations.latestSeq(d)}`);
      if (JSON.stringify(s.db.prepare('SELECT * FROM members WHERE conversation_id = ?').all(d)) !== receiptsBefore) report.fail(effects, 'receipts changed');
      await sleep(50);
      const seen = await watcher.exchange(JSON.stringify({ 'com.comoyo.PingCommand': {} }), false);
      const typing = seen.replies.filter((r) => r.name === 'TypingNotification');
      if (typing.length) report.fail(effects, `the member saw typing: ${JSON.stringify(typing[0])}`);
    }
    // Members succeed; then the outsider, who tried to subscribe, must receive nothing of the new message.
    for (let n = 0; n < size.repeats; n++) {
      for (const cell of cells) {
        if (cell.expect.member === 'skip') continue;
        rows.member.count++;
        // A member's command is answered (all but typing): wait for that answer, not only the
        // marker pong, which may come first (a send is answered after its commit).
        const replyTo = cell.expect.member === 'none' ? undefined : 'q';
        const o = await as.member.exchange(JSON.stringify({ [`com.comoyo.${cell.command}`]: { ...cell.payload(1000 + n), requestId: 'q' } }), false, 5000, replyTo);
        const reply = o.replies.find((r) => r.payload['requestId'] === 'q');
        const got = reply ? (reply.name === 'ErrorResponse' ? String(reply.payload['code']) : reply.name) : 'none';
        if (got !== cell.expect.member) report.fail(rows.member, `${cell.command}: got ${got}${reply ? ` ${JSON.stringify(reply.payload).slice(0, 160)}` : ''}, expected ${cell.expect.member}`);
      }
      await as.member.exchange(JSON.stringify({ 'com.comoyo.SubscribeCommand': { resource: `messages:${d}` } }), false);
    }
    await sleep(100);
    effects.count++;
    const outsiderInbox = await as.outsider.exchange(JSON.stringify({ 'com.comoyo.PingCommand': {} }), false);
    for (const r of outsiderInbox.replies) {
      const leak = noSecret(r.payload) ?? (JSON.stringify(r.payload).includes('authz 10') ? 'a member message' : null);
      if (leak) report.fail(effects, `outsider received ${r.name}: ${leak}`);
    }
    const watched = await watcher.exchange(JSON.stringify({ 'com.comoyo.PingCommand': {} }), false);
    if (!watched.replies.some((r) => r.name === 'ResourceChangedNotification')) report.fail(effects, "the watcher saw no notification of the member's sends (outsider's Unsubscribe must not end it)");
  } finally {
    for (const sock of socks) sock.close();
    await server?.close();
  }
  return report;
}

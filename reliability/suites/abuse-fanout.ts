import { startServer, type RunningServer } from '../../server/app';
import { CHEAP_SCRYPT } from '../../server/test/harness';
import { ProtocolClient, type Frame } from '../../server/test/protocol-client';
import { Report, type CheckRow } from '../lib/results';
import { seedWorld, type SeededUser } from '../lib/world';

/**
 * Amplification: what one logged-in member, on many sockets at once, can
 * make the server send to OTHER people. Typing notices, receipts with rising
 * seqs, presence flaps and subscribe/unsubscribe loops, each counted in the
 * frames that reach every other member's socket, against the bound the
 * server promises (docs/PROTOCOL.md sections 3 and 4, Presence): a few
 * frames per interval, however many commands were sent.
 */
export interface FanoutSize {
  /** Members of the group (one attacker, the rest victims with one socket each). */
  members: number;
  /** Sockets of the attacking account. */
  sockets: number;
  /** Typing notices per attacking socket. */
  typingPerSocket: number;
  /** Acks with rising seqs, one after the other. */
  acks: number;
  /** Reconnect cycles of the attacking account. */
  flaps: number;
  /** Subscribe/unsubscribe pairs on one socket. */
  resubscribes: number;
}

export const FANOUT_SIZES: Record<'ci' | 'long', FanoutSize> = {
  ci: { members: 12, sockets: 3, typingPerSocket: 60, acks: 100, flaps: 20, resubscribes: 200 },
  long: { members: 120, sockets: 20, typingPerSocket: 200, acks: 2000, flaps: 300, resubscribes: 5000 },
};

const INTERVAL_MS = 1000;
const GRACE_MS = 1000;
const TYPING_CONVERSATIONS = 3;
const TYPERS_PER_CONVERSATION = 5;

const settle = (c: ProtocolClient): Promise<Frame> => c.request('PingCommand', {}, 30_000);

export async function runFanout(size: FanoutSize, log: (line: string) => void = () => {}): Promise<Report> {
  const report = new Report('abuse-fanout', size === FANOUT_SIZES.long ? 'long' : 'ci', null, log);
  let server: RunningServer | null = null;
  const clients: ProtocolClient[] = [];
  try {
    // The per-socket command rate is raised: it would refuse most of a burst before it reached the
    // bounds this suite is about (its own tests are in server/gateway).
    server = await startServer({
      port: 0,
      dbPath: ':memory:',
      logLevel: 'silent',
      scrypt: CHEAP_SCRYPT,
      limits: { commandsPerSecond: 1e6, commandBurst: 1e6 },
      typingNoticeIntervalMs: INTERVAL_MS,
      receiptNoticeIntervalMs: INTERVAL_MS,
      presenceOfflineGraceMs: GRACE_MS,
      typingConversationsPerUser: TYPING_CONVERSATIONS,
      typingTypersPerConversation: TYPERS_PER_CONVERSATION,
    });
    const s = server;
    const world = await seedWorld(s.seeder, size.members, 'fan');
    const [attacker, ...victims] = world.users as [SeededUser, ...SeededUser[]];
    const group = world.groupId;
    const connect = async (user: SeededUser): Promise<ProtocolClient> => {
      const c = await ProtocolClient.connect(s.wsUrl, { timeoutMs: 10_000 });
      clients.push(c);
      await c.register();
      await c.call('AccountLoginCommand', { userInformation: { sessionToken: user.token } }, 'AccountLoginResponse');
      return c;
    };
    const watchers = await Promise.all(victims.map(connect));
    for (const w of watchers) {
      await w.call('SubscribeCommand', { resource: `messages:${group}` }, 'SubscribeResponse');
      await w.call('SubscribeCommand', { resource: 'conversations' }, 'SubscribeResponse');
      await w.call('SubscribeCommand', { resource: `receipts:${group}` }, 'SubscribeResponse');
      await w.call('SubscribeCommand', { resource: 'contacts' }, 'SubscribeResponse');
    }
    const attackers = await Promise.all(Array.from({ length: size.sockets }, () => connect(attacker)));
    /** Frames each watcher got that match, taken from its inbox. */
    const drain = async (match: (f: Frame) => boolean): Promise<number[]> => {
      const counts: number[] = [];
      for (const w of watchers) {
        await settle(w);
        const got = w.queued(match);
        counts.push(got.length);
        for (let i = 0; i < got.length; i++) await w.waitFor(match, 1000);
      }
      return counts;
    };
    const check = (row: CheckRow, counts: number[], bound: number, sent: number): void => {
      row.count += sent;
      const max = Math.max(...counts);
      row.figures = { commandsSent: sent, victims: counts.length, framesPerVictimMax: max, framesTotal: counts.reduce((a, b) => a + b, 0), bound };
      if (max > bound) report.fail(row, `a victim got ${max} frames for ${sent} commands (bound ${bound})`);
    };
    const intervalsSince = (started: number, ms: number): number => Math.ceil((Date.now() - started) / ms);

    // Typing: every attacking socket alternates start/stop into the group at once.
    const typing = report.row('typing flood, many sockets', `${size.sockets} sockets of one member send ${size.typingPerSocket} typing notices each into a group of ${size.members}; frames each other member gets`);
    const isTyping = (f: Frame): boolean => f.name === 'TypingNotification' && f.payload['userId'] === attacker.id;
    let started = Date.now();
    for (let i = 0; i < size.typingPerSocket; i++) for (const a of attackers) a.send('TypingCommand', { conversationId: group, typing: i % 2 === 0 });
    await Promise.all(attackers.map(settle));
    // One relayed now, then at most one per interval; the last (a stop) when its interval ends.
    await watchers[0]!.waitFor((f) => isTyping(f) && f.payload['typing'] === false, 10_000, 'the coalesced stop');
    const typingCounts = await drain(isTyping);
    typingCounts[0]! += 1; // the stop the wait took
    check(typing, typingCounts, 1 + intervalsSince(started, INTERVAL_MS), size.sockets * size.typingPerSocket);

    // Typing across conversations: one start into each of ten conversations the attacker shares with a victim.
    const spread = report.row('typing into many conversations', 'one member starts typing in ten conversations at once: in how many it is shown');
    const extra = Array.from({ length: 9 }, () => s.seeder.conversation({ memberIds: [attacker.id, victims[0]!.id, victims[1]!.id], kind: 'group' }));
    for (const c of extra) await watchers[0]!.call('SubscribeCommand', { resource: `messages:${c}` }, 'SubscribeResponse');
    const convs = [group, ...extra];
    for (const c of convs) attackers[0]!.send('TypingCommand', { conversationId: c, typing: true });
    await settle(attackers[0]!);
    await settle(watchers[0]!);
    const shown = new Set(watchers[0]!.queued((f) => isTyping(f) && f.payload['typing'] === true).map((f) => f.payload['conversationId']));
    spread.count += convs.length;
    spread.figures = { conversations: convs.length, shownTyping: shown.size, bound: TYPING_CONVERSATIONS };
    if (shown.size > TYPING_CONVERSATIONS) report.fail(spread, `shown typing in ${shown.size} conversations at once`);
    // The stops come when their intervals end; wait for them, so that they are not counted below.
    for (const c of convs) attackers[0]!.send('TypingCommand', { conversationId: c, typing: false });
    for (const c of shown) await watchers[0]!.waitFor((f) => isTyping(f) && f.payload['conversationId'] === c && f.payload['typing'] === false, 10_000, 'a stop');
    await drain(isTyping);

    // Many members at once: every victim floods typing into the group from its socket.
    const crowd = report.row('typing flood, many members', `all ${victims.length} other members of the group send ${size.typingPerSocket} typing starts each at once; typists each member is shown`);
    const isCrowd = (f: Frame): boolean => f.name === 'TypingNotification' && f.payload['conversationId'] === group && f.payload['typing'] === true;
    for (let i = 0; i < size.typingPerSocket; i++) for (const w of watchers) w.send('TypingCommand', { conversationId: group, typing: true });
    await Promise.all(watchers.map(settle));
    const typists: number[] = [];
    const crowdFrames: number[] = [];
    for (const w of watchers) {
      await settle(w);
      crowdFrames.push(w.queued(isCrowd).length);
      typists.push(new Set(w.queued(isCrowd).map((f) => f.payload['userId'])).size);
    }
    crowd.count += victims.length * size.typingPerSocket;
    crowd.figures = { commandsSent: victims.length * size.typingPerSocket, framesPerMemberMax: Math.max(...crowdFrames), typistsShownMax: Math.max(...typists), bound: TYPERS_PER_CONVERSATION };
    if (Math.max(...typists) > TYPERS_PER_CONVERSATION) report.fail(crowd, `a member was shown ${Math.max(...typists)} typists at once`);
    for (const w of watchers) w.send('TypingCommand', { conversationId: group, typing: false });
    await Promise.all(watchers.map(settle));
    // The stops come when their intervals end; wait for them, so that they are not counted below.
    await new Promise((r) => setTimeout(r, INTERVAL_MS + 500));
    await drain((f) => f.name === 'TypingNotification');

    // Receipts: rising acks one after the other (each its own commit), from one socket.
    const receipts = report.row('receipts with rising seqs', `one member acks seqs 1..${size.acks} one after the other in a group of ${size.members}; receipts:<group> notifications each other member gets (where everyone's positions are told)`);
    s.seeder.messages(group, Array.from({ length: size.acks }, (_, i) => ({ senderId: victims[0]!.id, body: `fan ${i}` })));
    const isList = (f: Frame): boolean => f.name === 'ResourceChangedNotification' && f.payload['resource'] === `receipts:${group}`;
    await drain(isList);
    started = Date.now();
    for (let seq = 1; seq <= size.acks; seq++) await attackers[seq % size.sockets]!.call('AckMessagesCommand', { conversationId: group, seq }, 'AckMessagesResponse');
    const seen = (f: Frame): number | undefined =>
      (f.payload['items'] as Record<string, { deliveredSeq: number }> | undefined)?.[attacker.id]?.deliveredSeq;
    await watchers[0]!.waitFor((f) => isList(f) && seen(f) === size.acks, 10_000, 'the last position');
    // The one the wait took counts too.
    const listCounts = await drain(isList);
    listCounts[0]! += 1;
    check(receipts, listCounts, 1 + intervalsSince(started, INTERVAL_MS), size.acks);

    // Presence: the attacker's sockets all close, then it reconnects and leaves over and over.
    const presence = report.row('presence flaps', `one member with ${size.members - 1} contacts closes all ${size.sockets} sockets, then reconnects and closes ${size.flaps} times; contacts notifications each contact gets`);
    const isAboutAttacker = (f: Frame): boolean => f.name === 'ResourceChangedNotification' && f.payload['resource'] === 'contacts' && (f.payload['ids'] as string[]).includes(attacker.id);
    started = Date.now();
    for (const a of attackers) a.close();
    await Promise.all(attackers.map((a) => a.closed));
    for (let i = 0; i < size.flaps; i++) {
      const c = await connect(attacker);
      c.close();
      await c.closed;
    }
    const offline = (f: Frame): boolean => isAboutAttacker(f) && (f.payload['items'] as Record<string, { online: boolean }>)[attacker.id]?.online === false;
    await watchers[0]!.waitFor(offline, GRACE_MS + 10_000, 'offline after the grace');
    // The one the wait took counts too.
    const presenceCounts = await drain(isAboutAttacker);
    presenceCounts[0]! += 1;
    check(presence, presenceCounts, 1 + 2 * intervalsSince(started, GRACE_MS), size.sockets + size.flaps);

    // Subscribe/unsubscribe in a loop: one answer each, nothing for anyone else, and no subscription left behind.
    const resub = report.row('resubscribe loop', `one socket subscribes and unsubscribes messages:<group> ${size.resubscribes} times; answers it gets, frames the others get, subscriptions left`);
    const looper = await connect(attacker);
    // Its login brings the attacker online again: that notification is not the loop's.
    await watchers[0]!.waitFor(isAboutAttacker, 10_000, 'online again');
    await drain(isAboutAttacker);
    for (let i = 0; i < size.resubscribes; i++) {
      looper.send('SubscribeCommand', { resource: `messages:${group}` });
      looper.send('UnsubscribeCommand', { resource: `messages:${group}` });
    }
    await settle(looper);
    const answers = looper.queued((f) => f.name === 'SubscribeResponse' || f.name === 'UnsubscribeResponse').length;
    const others = await drain((f) => f.name !== 'PongResponse');
    const sub = await looper.call('SubscribeCommand', { resource: `messages:${group}` }, 'SubscribeResponse');
    resub.count += 2 * size.resubscribes;
    resub.figures = { commandsSent: 2 * size.resubscribes, answers, framesToOthersMax: Math.max(...others) };
    if (answers !== 2 * size.resubscribes) report.fail(resub, `${answers} answers to ${2 * size.resubscribes} commands`);
    if (Math.max(...others) > 0) report.fail(resub, `another member got ${Math.max(...others)} frames`);
    if (sub.version !== s.storage.conversations.latestSeq(group)) report.fail(resub, 'the subscription after the loop answered a wrong version');
  } finally {
    for (const c of clients) c.ws.terminate();
    await server?.close();
  }
  return report;
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../app';
import { loginAs, seedUsers, startTestServer } from '../test/harness';
import type { Frame, ProtocolClient } from '../test/protocol-client';

/**
 * What one member can make the server send to OTHER people: typing notices,
 * receipts and presence flaps, tried from several sockets of one account,
 * counted at a victim's socket (frames, not time).
 */
const GRACE_MS = 2000;

const isTyping = (f: Frame): boolean => f.name === 'TypingNotification';
/** Every frame the server wrote to `c` before the answer to a ping sent now is in its inbox. */
const settle = (c: ProtocolClient): Promise<Frame> => c.request('PingCommand', {});

describe('fan-out a member can cause for others', () => {
  let server: RunningServer;
  let ids: Record<string, string>;
  let group: string;
  beforeAll(async () => {
    server = await startTestServer({ presenceOfflineGraceMs: GRACE_MS });
    ids = await seedUsers(server, ['tia', 'tom', 'ty1', 'ty2', 'pia', 'pat']);
    group = server.seeder.conversation({ memberIds: ['tia', 'tom', 'ty1', 'ty2'].map((u) => ids[u]!), kind: 'group' });
  });
  afterAll(() => server.close());

  it('typing: 180 notices from 3 sockets of one user reach a member as one now and one per interval after, the last state (a stop) included', async () => {
    const { client: victim } = await loginAs(server, 'tom');
    await victim.call('SubscribeCommand', { resource: `messages:${group}` }, 'SubscribeResponse');
    const typists = await Promise.all([0, 1, 2].map(async () => (await loginAs(server, 'tia')).client));
    const started = Date.now();
    for (let i = 0; i < 60; i++) for (const t of typists) t.send('TypingCommand', { conversationId: group, typing: i % 2 === 0 });
    for (const t of typists) await settle(t);
    await settle(victim);
    // One at once, and one more for each interval the burst took to arrive (none on an idle machine).
    const intervals = Math.ceil((Date.now() - started) / 1000);
    const burst = victim.queued(isTyping).map((f) => f.payload['typing']);
    expect(burst[0]).toBe(true);
    expect(burst.length).toBeLessThanOrEqual(intervals);
    // The last notice asked for (typing: false) comes when the interval ends.
    const last = await victim.waitFor((f) => isTyping(f) && f.payload['typing'] === false, 5000, 'the coalesced stop');
    expect(last.payload).toMatchObject({ conversationId: group, userId: ids['tia'], typing: false });
    await settle(victim);
    const total = 1 + victim.queued(isTyping).length; // the stop the wait took, and the rest
    expect(total).toBeLessThanOrEqual(1 + Math.ceil((Date.now() - started) / 1000));
    for (const c of [victim, ...typists]) c.close();
  });

  it('typing: one user is shown typing in at most 3 conversations at once', async () => {
    const groups = Array.from({ length: 6 }, () => server.seeder.conversation({ memberIds: [ids['ty1']!, ids['ty2']!, ids['tom']!], kind: 'group' }));
    const { client: victim } = await loginAs(server, 'ty2');
    for (const g of groups) await victim.call('SubscribeCommand', { resource: `messages:${g}` }, 'SubscribeResponse');
    const { client: typist } = await loginAs(server, 'ty1');
    for (const g of groups) typist.send('TypingCommand', { conversationId: g, typing: true });
    await settle(typist);
    await settle(victim);
    expect(victim.queued(isTyping).map((f) => f.payload['conversationId'])).toEqual(groups.slice(0, 3));
    // A stop in one of them makes room for another once it is relayed (at the interval's end);
    // a start dropped meanwhile shows with the client's next refresh.
    typist.send('TypingCommand', { conversationId: groups[0]!, typing: false });
    typist.send('TypingCommand', { conversationId: groups[4]!, typing: true });
    await victim.waitFor((f) => isTyping(f) && f.payload['conversationId'] === groups[0] && f.payload['typing'] === false, 5000, 'the stop');
    await settle(victim);
    expect(victim.queued((f) => isTyping(f) && f.payload['conversationId'] === groups[4])).toEqual([]);
    typist.send('TypingCommand', { conversationId: groups[4]!, typing: true });
    await victim.waitFor((f) => isTyping(f) && f.payload['conversationId'] === groups[4], 5000, 'typing in a fourth conversation');
    victim.close();
    typist.close();
  });

  it('receipts: 100 rising acks in a row reach a receipts subscriber about once per interval, the last position included, and move nobody else\'s entry', async () => {
    server.seeder.messages(group, Array.from({ length: 100 }, (_, i) => ({ senderId: ids['ty1']!, body: `m${i}` })));
    const { client: victim } = await loginAs(server, 'tom');
    await victim.call('SubscribeCommand', { resource: 'conversations' }, 'SubscribeResponse');
    await victim.call('SubscribeCommand', { resource: `receipts:${group}` }, 'SubscribeResponse');
    const { client: acker } = await loginAs(server, 'tia');
    const started = Date.now();
    for (let seq = 1; seq <= 100; seq++) {
      const reply = await acker.call('AckMessagesCommand', { conversationId: group, seq }, 'AckMessagesResponse');
      expect(reply.seq).toBe(seq);
    }
    await settle(victim);
    const intervals = Math.ceil((Date.now() - started) / 1000);
    const isReceipts = (f: Frame): boolean => f.name === 'ResourceChangedNotification' && f.payload['resource'] === `receipts:${group}`;
    const burst = victim.queued(isReceipts);
    expect(burst.length).toBeLessThanOrEqual(1 + intervals);
    // Only the member who moved, never the whole group.
    for (const f of burst) expect(f.payload['ids']).toEqual([ids['tia']]);
    const delivered = (f: Frame): number | undefined => (f.payload['items'] as Record<string, { deliveredSeq: number }> | undefined)?.[ids['tia']!]?.deliveredSeq;
    await victim.waitFor((f) => isReceipts(f) && delivered(f) === 100, 5000, 'the last position');
    // ty1 and ty2 acknowledged nothing: the lowest delivered position over tom's others stayed 0, so tom's entry did not change.
    await settle(victim);
    expect(victim.queued((f) => f.name === 'ResourceChangedNotification' && f.payload['resource'] === 'conversations')).toEqual([]);
    victim.close();
    acker.close();
  });

  it('presence: 20 reconnects in a row reach a contact as one online now and one offline after the grace', async () => {
    const { client: victim } = await loginAs(server, 'pat');
    await victim.call('SubscribeCommand', { resource: 'contacts' }, 'SubscribeResponse');
    const started = Date.now();
    let lastClose = 0;
    for (let i = 0; i < 20; i++) {
      const { client } = await loginAs(server, 'pia');
      lastClose = Date.now();
      client.close();
      await client.closed;
    }
    await settle(victim);
    const graces = Math.floor((Date.now() - started) / GRACE_MS);
    const entry = (f: Frame) => (f.payload['items'] as Record<string, { online: boolean; lastSeenAt: number | null }> | undefined)?.[ids['pia']!];
    const aboutPia = (f: Frame): boolean => f.name === 'ResourceChangedNotification' && entry(f) !== undefined;
    const burst = victim.queued(aboutPia);
    expect(burst.length).toBeLessThanOrEqual(1 + 2 * graces);
    expect(entry(burst[0]!)?.online).toBe(true);
    const off = await victim.waitFor((f) => aboutPia(f) && entry(f)?.online === false, GRACE_MS + 5000, 'offline after the grace');
    // lastSeenAt is when the last socket closed, not when the grace ended.
    expect(entry(off)!.lastSeenAt).toBeGreaterThanOrEqual(lastClose);
    victim.close();
  });
});

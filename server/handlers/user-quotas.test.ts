import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../app';
import { loginAs, seedUsers, startTestServer, testPasswordHash } from '../test/harness';
import { MemoryWindowCounter } from './user-quotas';

/**
 * Per-user limits across all of a user's sockets: the per-socket rate limit
 * alone lets one account send (and store) as much more as it opens sockets.
 */
describe('per-user quotas', () => {
  let server: RunningServer;
  let ids: Record<string, string>;

  beforeAll(async () => {
    server = await startTestServer({ limits: { sendsPerUserPerMinute: 30, contactsPerUserPerHour: 5 } });
    ids = await seedUsers(server, ['ann', 'ben', 'cat']);
  });
  afterAll(() => server.close());

  it('acknowledges at most sendsPerUserPerMinute sends of one user from all sockets at once, and RATE_LIMITED the rest', async () => {
    const conv = server.seeder.conversation({ memberIds: [ids['ann']!, ids['ben']!] });
    const sockets = await Promise.all([0, 1, 2].map(async () => (await loginAs(server, 'ann')).client));
    const answers = await Promise.all(
      sockets.flatMap((sock, s) => Array.from({ length: 20 }, (_, i) => sock.request('SendMessageCommand', { conversationId: conv, clientMessageId: `q-${s}-${i}`, body: 'hi' }))),
    );
    expect(answers.filter((a) => a.name === 'SendMessageResponse')).toHaveLength(30);
    const refused = answers.filter((a) => a.payload['code'] === 'RATE_LIMITED');
    expect(refused).toHaveLength(30);
    expect(String(refused[0]!.payload['message'])).toMatch(/30 messages and changes .* in the last minute/);
    expect(server.db.prepare('SELECT COUNT(*) FROM messages WHERE conversation_id = ?').pluck().get(conv)).toBe(30);
    const { client: ben } = await loginAs(server, 'ben');
    await ben.call('SendMessageCommand', { conversationId: conv, clientMessageId: 'ben-1', body: 'still fine' }, 'SendMessageResponse');
  });

  it('counts every writing command as a send: edits and reactions share the quota with messages', async () => {
    const conv = server.seeder.conversation({ memberIds: [ids['cat']!, ids['ben']!] });
    const { client: cat } = await loginAs(server, 'cat');
    const first = await cat.call('SendMessageCommand', { conversationId: conv, clientMessageId: 'c-0', body: 'one' }, 'SendMessageResponse');
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2
          ? cat.request('EditMessageCommand', { conversationId: conv, clientMessageId: `c-e${i}`, targetId: first.message.id, body: `edit ${i}` })
          : cat.request('ReactCommand', { conversationId: conv, clientMessageId: `c-r${i}`, targetId: first.message.id, emoji: '👍', on: i % 4 === 0 }),
      ),
    );
    expect(answers.filter((a) => a.name !== 'ErrorResponse')).toHaveLength(29);
    expect(answers.filter((a) => a.payload['code'] === 'RATE_LIMITED')).toHaveLength(11);
  });

  it('lets one user add at most contactsPerUserPerHour contacts, from any socket', async () => {
    const hash = await testPasswordHash();
    server.seeder.users(Array.from({ length: 8 }, (_, i) => ({ username: `friend${i}`, passwordHash: hash })));
    const { client: one } = await loginAs(server, 'ben');
    const { client: two } = await loginAs(server, 'ben');
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? one : two).request('AddContactCommand', { username: `friend${i}` })));
    expect(answers.filter((a) => a.name === 'AddContactResponse')).toHaveLength(5);
    expect(answers.filter((a) => a.payload['code'] === 'RATE_LIMITED')).toHaveLength(3);
  });
});

describe('MemoryWindowCounter', () => {
  it('counts per key within a window and starts again after it', () => {
    let now = 1000;
    const counter = new MemoryWindowCounter(60_000, () => now);
    expect([counter.hit('a'), counter.hit('a'), counter.hit('b')]).toEqual([1, 2, 1]);
    now += 59_999;
    expect(counter.hit('a')).toBe(3);
    now += 1;
    expect(counter.hit('a')).toBe(1);
  });
});

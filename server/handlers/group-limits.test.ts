import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../app';
import { loginAs, seedUsers, startTestServer, testPasswordHash } from '../test/harness';
import type { ProtocolClient } from '../test/protocol-client';

/**
 * What one user can create: at most `groupsPerHour` groups in any hour
 * (RATE_LIMITED past it, from any socket), of at most `maxGroupMembers`
 * members (INVALID_PAYLOAD naming the count). Direct conversations, one per
 * pair, are not counted.
 */
describe('group limits', () => {
  let server: RunningServer;
  let ids: Record<string, string>;
  let ann: ProtocolClient;
  let ann2: ProtocolClient;

  beforeAll(async () => {
    server = await startTestServer({ limits: { groupsPerHour: 3, maxGroupMembers: 5 } });
    ids = await seedUsers(server, ['ann', 'ben', 'cat', 'dan', 'eve', 'fay']);
    ({ client: ann } = await loginAs(server, 'ann'));
    ({ client: ann2 } = await loginAs(server, 'ann'));
  });
  afterAll(() => server.close());

  it('refuses a group of more than maxGroupMembers, naming the count', async () => {
    const everyone = ['ben', 'cat', 'dan', 'eve', 'fay'].map((u) => ids[u]!);
    const refused = await ann.fail('CreateConversationCommand', { memberIds: everyone });
    expect(refused.code).toBe('INVALID_PAYLOAD');
    expect(refused.message).toMatch(/memberIds: .*at most 5 members.*6/);
    await ann.call('CreateConversationCommand', { memberIds: everyone.slice(0, 4) }, 'CreateConversationResponse');
  });

  it('refuses the group past groupsPerHour from any socket of the user, and not direct conversations or other users', async () => {
    const trio = [ids['ben']!, ids['cat']!];
    // One made in the test above; two more fit the hour.
    await ann.call('CreateConversationCommand', { memberIds: trio }, 'CreateConversationResponse');
    await ann2.call('CreateConversationCommand', { memberIds: trio }, 'CreateConversationResponse');
    const refused = await ann2.fail('CreateConversationCommand', { memberIds: trio });
    expect(refused.code).toBe('RATE_LIMITED');
    expect(refused.message).toMatch(/3 groups in the last hour/);
    expect((await ann.fail('CreateConversationCommand', { memberIds: trio })).code).toBe('RATE_LIMITED');
    const groups = server.db.prepare("SELECT COUNT(*) FROM conversations WHERE kind = 'group' AND created_by = ?").pluck().get(ids['ann']);
    expect(groups).toBe(3);
    await ann.call('CreateConversationCommand', { memberIds: [ids['dan']!] }, 'CreateConversationResponse');
    const { client: ben } = await loginAs(server, 'ben');
    await ben.call('CreateConversationCommand', { memberIds: trio }, 'CreateConversationResponse');
  });

  it('counts the last hour only', async () => {
    server.db.prepare('UPDATE conversations SET created_at = created_at - 3600001 WHERE created_by = ?').run(ids['ann']);
    await ann.call('CreateConversationCommand', { memberIds: [ids['ben']!, ids['cat']!] }, 'CreateConversationResponse');
  });

  it('refuses many groups created at once from many sockets past the limit, every one counted', async () => {
    const hash = await testPasswordHash();
    const [zed, ...friends] = server.seeder.users(['zed', 'f1', 'f2'].map((username) => ({ username, passwordHash: hash })));
    server.seeder.contacts(friends.map((f) => [zed!, f]));
    // Logged in one after another: password logins of one user from one address started at once count as
    // failures until they succeed, and a sixth would wait (docs/PROTOCOL.md, section 5).
    const sockets = [];
    for (let i = 0; i < 6; i++) sockets.push((await loginAs(server, 'zed')).client);
    const answers = await Promise.all(sockets.flatMap((sock) => [0, 1].map(() => sock.request('CreateConversationCommand', { memberIds: friends }))));
    expect(answers.filter((a) => a.name === 'CreateConversationResponse')).toHaveLength(3);
    expect(answers.filter((a) => a.payload['code'] === 'RATE_LIMITED')).toHaveLength(9);
  });
});

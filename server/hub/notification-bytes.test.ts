import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REPLY_BYTES } from '../../src/protocol/index';
import type { RunningServer } from '../app';
import { loginAs, seedUsers, startTestServer, testPasswordHash } from '../test/harness';

/**
 * Notifications are cut like replies: what changed in one commit or one
 * turn may be more than MAX_REPLY_BYTES (many messages of long bodies in one
 * batch; many large groups of one user changed at once), and then comes in
 * several notifications, each within the bound, together carrying all of it.
 */
describe('notifications bounded by bytes', () => {
  let server: RunningServer;
  let ids: Record<string, string>;

  beforeAll(async () => {
    server = await startTestServer({ largeGroupNotifyIntervalMs: 0, limits: { groupsPerHour: 1000 } });
    ids = await seedUsers(server, ['ann', 'ben']);
  });
  afterAll(() => server.close());

  it('splits the messages of one commit for one conversation across notifications within MAX_REPLY_BYTES', async () => {
    const conv = server.seeder.conversation({ memberIds: [ids['ann']!, ids['ben']!] });
    const { client: ann } = await loginAs(server, 'ann');
    const { client: ben } = await loginAs(server, 'ben');
    await ben.call('SubscribeCommand', { resource: `messages:${conv}` }, 'SubscribeResponse');
    const sizes: number[] = [];
    ben.ws.on('message', (data: Buffer) => sizes.push(data.length));
    // Sent in one go: they reach the writer in the same turn and commit in one batch.
    const acks = await Promise.all(
      Array.from({ length: 60 }, (_, i) => ann.request('SendMessageCommand', { conversationId: conv, clientMessageId: `big-${i}`, body: '\u0001'.repeat(4000) })),
    );
    expect(acks.every((a) => a.name === 'SendMessageResponse')).toBe(true);
    const got = new Set<string>();
    while (got.size < 60) {
      const note = await ben.next('ResourceChangedNotification');
      for (const id of note.ids) got.add(id);
      const seqs = Object.values(note.items ?? {}).map((m) => (m as { seq: number }).seq);
      expect(note.version).toBe(Math.max(...seqs));
    }
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_REPLY_BYTES);
  });

  it('splits one turn of changed conversations across notifications within MAX_REPLY_BYTES', async () => {
    const hash = await testPasswordHash();
    const crowd = server.seeder.users(Array.from({ length: 498 }, (_, i) => ({ username: `crowd${i}`, passwordHash: hash })));
    const groups = Array.from({ length: 30 }, () => server.seeder.conversation({ memberIds: [ids['ann']!, ids['ben']!, ...crowd], kind: 'group' }));
    const { client: ann } = await loginAs(server, 'ann');
    const { client: ben } = await loginAs(server, 'ben');
    await ben.call('SubscribeCommand', { resource: 'conversations' }, 'SubscribeResponse');
    const sizes: number[] = [];
    ben.ws.on('message', (data: Buffer) => sizes.push(data.length));
    await Promise.all(groups.map((conv, i) => ann.call('SendMessageCommand', { conversationId: conv, clientMessageId: `each-${i}`, body: 'hi' }, 'SendMessageResponse')));
    const got = new Set<string>();
    while (got.size < groups.length) {
      const note = await ben.next('ResourceChangedNotification');
      for (const id of note.ids) got.add(id);
    }
    expect([...got].sort()).toEqual([...groups].sort());
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_REPLY_BYTES);
  });
});

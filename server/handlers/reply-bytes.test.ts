import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REPLY_BYTES } from '../../src/protocol/index';
import type { RunningServer } from '../app';
import { loginAs, seedUsers, startTestServer, testPasswordHash } from '../test/harness';
import type { ProtocolClient } from '../test/protocol-client';

/**
 * No reply may exceed what the client parses. Pages (messages, the
 * conversations list, the contacts list) are cut by bytes as well as by
 * count: a shorter page with `hasMore`, so that following `hasMore` still
 * reaches everything, each item once.
 */
describe('replies bounded by bytes', () => {
  let server: RunningServer;
  let ids: Record<string, string>;
  let ann: ProtocolClient;
  const frameBytes: number[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    ids = await seedUsers(server, ['ann', 'ben']);
    ({ client: ann } = await loginAs(server, 'ann'));
    ann.ws.on('message', (data: Buffer) => frameBytes.push(data.length));
  });
  afterAll(() => server.close());

  function largestFrameSince(start: number): number {
    return Math.max(...frameBytes.slice(start));
  }

  it('cuts a messages page of the most escaped bodies by bytes, and hasMore reaches every message once, both ways', async () => {
    const conv = server.seeder.conversation({ memberIds: [ids['ann']!, ids['ben']!] });
    // Control characters are 6 bytes each in JSON: 500 such bodies are 12 MB.
    const latest = server.seeder.messages(conv, Array.from({ length: 500 }, () => ({ senderId: ids['ben']!, body: '\u0001'.repeat(4000) })));
    const start = frameBytes.length;
    const forward: number[] = [];
    let afterSeq = 0;
    for (let round = 0; round < 100; round++) {
      const page = await ann.call('GetMessagesCommand', { conversationId: conv, afterSeq, limit: 500 }, 'MessagesResponse');
      const seqs = Object.values(page.messages).map((m) => m.seq);
      expect(seqs.length).toBeGreaterThan(0);
      forward.push(...seqs);
      afterSeq = Math.max(...seqs);
      if (!page.hasMore) break;
    }
    expect(forward).toEqual(Array.from({ length: latest }, (_, i) => i + 1));
    const backward: number[] = [];
    let beforeSeq = latest + 1;
    for (let round = 0; round < 100; round++) {
      const page = await ann.call('GetMessagesCommand', { conversationId: conv, beforeSeq, limit: 500 }, 'MessagesResponse');
      const seqs = Object.values(page.messages).map((m) => m.seq);
      expect(seqs.length).toBeGreaterThan(0);
      // The page nearest beforeSeq: newest first when cut.
      expect(Math.max(...seqs)).toBe(beforeSeq - 1);
      backward.unshift(...seqs);
      beforeSeq = Math.min(...seqs);
      if (!page.hasMore) break;
    }
    expect(backward).toEqual(forward);
    expect(frameBytes.length - start).toBeGreaterThan(20);
    expect(largestFrameSince(start)).toBeLessThanOrEqual(MAX_REPLY_BYTES);
  });

  it('pages the conversations list by bytes with afterId, every conversation once', async () => {
    const hash = await testPasswordHash();
    const crowd = server.seeder.users(Array.from({ length: 499 }, (_, i) => ({ username: `crowd${i}`, passwordHash: hash })));
    const groups = Array.from({ length: 40 }, (_, i) => server.seeder.conversation({ memberIds: [ids['ann']!, ...crowd], title: `group ${i}`, kind: 'group' }));
    const start = frameBytes.length;
    const seen: string[] = [];
    let afterId: string | undefined;
    let pages = 0;
    for (; pages < 100; pages++) {
      const page = await ann.call('GetConversationsCommand', afterId === undefined ? {} : { afterId }, 'ConversationsResponse');
      seen.push(...Object.keys(page.conversations));
      if (!page.hasMore) break;
      expect(page.lastId).toBeDefined();
      afterId = page.lastId!;
    }
    expect(pages).toBeGreaterThan(0);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(groups));
    expect(largestFrameSince(start)).toBeLessThanOrEqual(MAX_REPLY_BYTES);
    // Asking by ids pages the same way.
    const byIds: string[] = [];
    afterId = undefined;
    for (let round = 0; round < 100; round++) {
      const page: { conversations: object; hasMore?: boolean; lastId?: string } = await ann.call(
        'GetConversationsCommand',
        afterId === undefined ? { ids: groups } : { ids: groups, afterId },
        'ConversationsResponse',
      );
      byIds.push(...Object.keys(page.conversations));
      if (!page.hasMore) break;
      afterId = page.lastId!;
    }
    expect(byIds.sort()).toEqual([...groups].sort());
    expect(largestFrameSince(start)).toBeLessThanOrEqual(MAX_REPLY_BYTES);
  });

  it('pages the contacts list by bytes with afterId, every contact once', async () => {
    const hash = await testPasswordHash();
    const longName = '\u0001'.repeat(64);
    const many = server.seeder.users(Array.from({ length: 2500 }, (_, i) => ({ username: `contact${i}`, displayName: longName, passwordHash: hash })));
    server.seeder.contacts(many.map((id) => [ids['ann']!, id]));
    const start = frameBytes.length;
    const seen: string[] = [];
    let afterId: string | undefined;
    for (let round = 0; round < 100; round++) {
      const page = await ann.call('GetContactsCommand', afterId === undefined ? {} : { afterId }, 'ContactsResponse');
      seen.push(...Object.keys(page.contacts));
      if (!page.hasMore) break;
      afterId = page.lastId!;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining([...many, ids['ben']!]));
    expect(frameBytes.length - start).toBeGreaterThan(1);
    expect(largestFrameSince(start)).toBeLessThanOrEqual(MAX_REPLY_BYTES);
  });
});

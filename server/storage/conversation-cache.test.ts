import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../app';
import { directPair, startTestServer } from '../test/harness';
import type { ProtocolClient } from '../test/protocol-client';

/**
 * The conversation entry cache (ConversationsRepo) must always equal what
 * the database holds: it is what the `conversations` notifications, the
 * subscribe versions and GetConversations answer with.
 */
describe('conversation entry cache', () => {
  let server: RunningServer;
  let ann: ProtocolClient;
  let ben: ProtocolClient;
  let conv: string;

  beforeAll(async () => {
    server = await startTestServer();
    ({ ann, ben, conv } = await directPair(server));
  });
  afterAll(() => server.close());

  /** The cached entry, then the one the database holds (cache dropped and reloaded). */
  function cachedAndStored(): [unknown, unknown] {
    const repo = server.storage.conversations;
    const cached = structuredClone(repo.get(conv));
    repo.forgetCached(conv);
    return [cached, repo.get(conv)];
  }

  it('follows committed sends, receipts and seeded messages', async () => {
    expect(server.storage.conversations.get(conv)?.latestSeq).toBe(0); // loaded into the cache now
    const acks = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        ann.call('SendMessageCommand', { conversationId: conv, clientMessageId: `cc-${i}`, body: `m${i}` }, 'SendMessageResponse'),
      ),
    );
    let [cached, stored] = cachedAndStored();
    expect(cached).toEqual(stored);
    expect(cached).toMatchObject({ latestSeq: 5, updatedAt: acks[4]!.message.sentAt });

    server.storage.conversations.get(conv);
    await ben.call('MarkReadCommand', { conversationId: conv, seq: 3 }, 'MarkReadResponse');
    await ann.call('AckMessagesCommand', { conversationId: conv, seq: 5 }, 'AckMessagesResponse');
    [cached, stored] = cachedAndStored();
    expect(cached).toEqual(stored);

    server.storage.conversations.get(conv);
    server.seeder.messages(conv, [{ senderId: acks[0]!.message.senderId, body: 'seeded' }]);
    [cached, stored] = cachedAndStored();
    expect(cached).toEqual(stored);
    expect(cached).toMatchObject({ latestSeq: 6 });
    // The writer takes its seqs from the cache: after seeding behind its back, the next send is 7, not 6.
    const next = await ann.call('SendMessageCommand', { conversationId: conv, clientMessageId: 'cc-after-seed', body: 'next' }, 'SendMessageResponse');
    expect(next.message.seq).toBe(7);
  });

  it('does not move on a duplicate send (nothing committed)', async () => {
    server.storage.conversations.get(conv);
    const dup = await ann.call('SendMessageCommand', { conversationId: conv, clientMessageId: 'cc-0', body: 'm0' }, 'SendMessageResponse');
    expect(dup.duplicate).toBe(true);
    const [cached, stored] = cachedAndStored();
    expect(cached).toEqual(stored);
  });
});

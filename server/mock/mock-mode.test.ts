import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../app';
import { CHEAP_SCRYPT, sleep } from '../test/harness';
import { startServer } from '../app';
import { ProtocolClient } from '../test/protocol-client';
import { DEMO_CONVERSATIONS } from './demo-data';

describe('mock mode: demo data and /__test__/ controls', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ mock: true, port: 0, logLevel: 'silent', scrypt: CHEAP_SCRYPT });
  });
  afterAll(() => server.close());

  async function alice(): Promise<ProtocolClient> {
    const c = await ProtocolClient.connect(server.wsUrl);
    await c.register();
    const r = await c.call('AccountLoginCommand', { userInformation: { username: 'alice', password: 'tidings-alice' } }, 'AccountLoginResponse');
    expect(r).toMatchObject({ loggedIn: true, user: { displayName: 'Alice' } });
    return c;
  }

  it('seeds alice, bob and carol with their conversations', async () => {
    const c = await alice();
    const contacts = await c.call('GetContactsCommand', {}, 'ContactsResponse');
    expect(Object.values(contacts.contacts).map((x) => x.username).sort()).toEqual(['bob', 'carol']);
    const convs = await c.call('GetConversationsCommand', {}, 'ConversationsResponse');
    expect(convs.conversations[DEMO_CONVERSATIONS.aliceBob]).toMatchObject({ kind: 'direct', latestSeq: 40 });
    expect(convs.conversations[DEMO_CONVERSATIONS.weekend]).toMatchObject({
      kind: 'group',
      title: 'Weekend plans',
      ownerId: 'u_alice',
      members: { u_alice: { joinedSeq: 1 }, u_bob: { joinedSeq: 1 }, u_carol: { joinedSeq: 1 } },
    });
    const page = await c.call('GetMessagesCommand', { conversationId: DEMO_CONVERSATIONS.weekend, afterSeq: 0 }, 'MessagesResponse');
    expect(Object.values(page.messages).map((m) => [m.kind, m.seq, m.kind === 'message' && m.revision])).toEqual([1, 2, 3, 4, 5].map((seq) => ['message', seq, seq]));
    expect(convs.conversations[DEMO_CONVERSATIONS.aliceCarol]).toMatchObject({ latestSeq: 10_000 });
    c.close();
  });

  it('reset puts the data back and closes sockets', async () => {
    const c = await alice();
    await c.call('SendMessageCommand', { conversationId: DEMO_CONVERSATIONS.aliceBob, clientMessageId: 'x1', body: 'extra' }, 'SendMessageResponse');
    await c.call('RemoveMemberCommand', { conversationId: DEMO_CONVERSATIONS.weekend, clientMessageId: 'x2', memberId: 'u_carol' }, 'RemoveMemberResponse');
    expect((await (await fetch(`${server.url}/__test__/state`)).json()).messageCounts[DEMO_CONVERSATIONS.aliceBob]).toBe(41);
    expect((await fetch(`${server.url}/__test__/reset`, { method: 'POST' })).status).toBe(200);
    expect((await c.closed).code).toBe(1012);
    const state = await (await fetch(`${server.url}/__test__/state`)).json();
    expect(state.messageCounts).toEqual({ [DEMO_CONVERSATIONS.aliceBob]: 40, [DEMO_CONVERSATIONS.weekend]: 5, [DEMO_CONVERSATIONS.aliceCarol]: 10_000 });
    expect(server.storage.conversations.get(DEMO_CONVERSATIONS.weekend)).toMatchObject({ latestSeq: 5, memberIds: expect.arrayContaining(['u_carol']) });
    // The clientMessageIds of before the reset are free again.
    const again = await alice();
    await again.call('RemoveMemberCommand', { conversationId: DEMO_CONVERSATIONS.weekend, clientMessageId: 'x2', memberId: 'u_bob' }, 'RemoveMemberResponse');
    again.close();
  });

  it('drop closes every socket', async () => {
    const c = await alice();
    expect((await fetch(`${server.url}/__test__/drop`, { method: 'POST' })).status).toBe(200);
    expect((await c.closed).code).toBe(1012);
  });

  it('pause drops frames and refuses upgrades for the given time, then resumes', async () => {
    const c = await alice();
    expect((await fetch(`${server.url}/__test__/pause?ms=300`, { method: 'POST' })).status).toBe(200);
    c.send('PingCommand', {});
    expect(await c.receives('PongResponse', 150)).toBe(false);
    await expect(ProtocolClient.connect(server.wsUrl)).rejects.toThrow();
    await sleep(250);
    expect(await c.call('PingCommand', {}, 'PongResponse')).toHaveProperty('serverTime');
    c.close();
  });
});

describe('mock mode on a database file', () => {
  it('seeds on first start and keeps the data on a restart', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'tidings-mockfile-'));
    const dbPath = join(dir, 'mock.db');
    const first = await startServer({ mock: true, port: 0, dbPath, logLevel: 'silent', scrypt: CHEAP_SCRYPT });
    first.seeder.messages(DEMO_CONVERSATIONS.aliceBob, [{ senderId: 'u_bob', body: 'still here after restart' }]);
    await first.close();
    const second = await startServer({ mock: true, port: 0, dbPath, logLevel: 'silent', scrypt: CHEAP_SCRYPT });
    expect(second.storage.conversations.latestSeq(DEMO_CONVERSATIONS.aliceBob)).toBe(41);
    await second.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

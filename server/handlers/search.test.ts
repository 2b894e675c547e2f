import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../src/protocol/index';
import type { RunningServer } from '../app';
import { loginAs, seedUsers, startTestServer } from '../test/harness';
import type { ProtocolClient } from '../test/protocol-client';

/**
 * SearchMessagesCommand (docs/PROTOCOL.md section 10) over real sockets, on
 * a server with a database file so that what stays in the file after a
 * deletion can be read.
 */
describe('searching messages', () => {
  let dir: string;
  let server: RunningServer;
  let ids: Record<string, string>;
  let ann: ProtocolClient;
  let ben: ProtocolClient;
  let dan: ProtocolClient;
  let group: string;
  let direct: string;
  let n = 0;
  const cmid = (): string => `cm-${++n}`;
  const send = async (client: ProtocolClient, body: string, conversationId = group): Promise<Message> =>
    (await client.call('SendMessageCommand', { conversationId, clientMessageId: cmid(), body }, 'SendMessageResponse')).message;
  const search = (client: ProtocolClient, query: string, more: { conversationId?: string; beforeSeq?: number; limit?: number } = {}) =>
    client.call('SearchMessagesCommand', { query, ...more }, 'SearchMessagesResponse');
  const bodies = async (client: ProtocolClient, query: string, more: { conversationId?: string; beforeSeq?: number; limit?: number } = {}): Promise<string[]> =>
    (await search(client, query, more)).messages.map((m) => m.body);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidings-search-'));
    server = await startTestServer({ dbPath: join(dir, 'search.db') });
    ids = await seedUsers(server, ['ann', 'ben', 'cat', 'dan']);
    ({ client: ann } = await loginAs(server, 'ann'));
    ({ client: ben } = await loginAs(server, 'ben'));
    ({ client: dan } = await loginAs(server, 'dan'));
    group = (await ann.call('CreateConversationCommand', { memberIds: [ids['ben']!, ids['cat']!], title: 'G' }, 'CreateConversationResponse')).conversation.id;
    direct = (await ann.call('CreateConversationCommand', { memberIds: [ids['ben']!] }, 'CreateConversationResponse')).conversation.id;
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds "café" by cafe, CAFÉ and a prefix, ignoring case and accents, newest first', async () => {
    await send(ann, 'Meet at the café tomorrow');
    await send(ben, 'The CAFETERIA is closed', direct);
    expect(await bodies(ben, 'cafe')).toEqual(['The CAFETERIA is closed', 'Meet at the café tomorrow']);
    expect(await bodies(ben, 'CAFÉ')).toEqual(['The CAFETERIA is closed', 'Meet at the café tomorrow']);
    expect(await bodies(ann, 'caf', { conversationId: group })).toEqual(['Meet at the café tomorrow']);
    const reply = await search(ann, '  Café!  ');
    expect(reply.query).toBe('  Café!  ');
    expect(reply.messages[0]).toMatchObject({ kind: 'message', conversationId: direct, senderId: ids['ben'], body: 'The CAFETERIA is closed' });
  });

  it('needs every word (as a prefix) and matches a one-letter word only whole', async () => {
    await send(ann, 'blue whale song');
    await send(ann, 'blue sky');
    await send(ann, 'x marks the spot');
    await send(ann, 'xylophone practice');
    expect(await bodies(ben, 'whal blu')).toEqual(['blue whale song']);
    expect(await bodies(ben, 'blue')).toEqual(['blue sky', 'blue whale song']);
    expect(await bodies(ben, 'blue nothinglikethis')).toEqual([]);
    expect(await bodies(ben, 'x')).toEqual(['x marks the spot']);
    expect(await bodies(ben, 'xy')).toEqual(['xylophone practice']);
  });

  it('never reads the query as FTS5 syntax: quotes, operators and column filters are plain words', async () => {
    await send(ann, 'NEAR the body of OR water');
    expect(await bodies(ben, '"near" OR body:*')).toEqual(['NEAR the body of OR water']);
    expect(await bodies(ben, 'body: ^ (')).toEqual(['NEAR the body of OR water']);
  });

  it('finds an edited message by its new text only', async () => {
    const m = await send(ann, 'quarterly zebrafigures draft');
    await ann.call('EditMessageCommand', { conversationId: group, clientMessageId: cmid(), targetId: m.id, body: 'annual giraffestats final' }, 'EditMessageResponse');
    expect(await bodies(ben, 'zebrafig')).toEqual([]);
    expect(await bodies(ben, 'giraffe')).toEqual(['annual giraffestats final']);
  });

  it('no longer finds a deleted message, and its words are gone from the index and from the database file', async () => {
    const m = await send(ann, 'the vault code is okapiwombat');
    expect(await bodies(ben, 'okapiwom')).toEqual(['the vault code is okapiwombat']);
    await ann.call('DeleteMessageCommand', { conversationId: group, clientMessageId: cmid(), targetId: m.id }, 'DeleteMessageResponse');
    expect(await bodies(ben, 'okapi')).toEqual([]);
    const db = server.storage.db;
    db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocab USING fts5vocab(main, search_text, 'row')");
    expect(db.prepare("SELECT term FROM temp.search_vocab WHERE term LIKE 'okapi%' OR term LIKE 'oka%'").all()).toEqual([]);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const file = Buffer.concat([readFileSync(join(dir, 'search.db')), readFileSync(join(dir, 'search.db-wal'), { flag: 'a+' })]);
    expect(file.includes('okapiwombat')).toBe(false);
    expect(file.includes('apiwombat')).toBe(false);
  });

  it('refuses a conversation the caller is not in (FORBIDDEN), finds nothing of it otherwise', async () => {
    await send(ann, 'secret plans for the dingo');
    expect(await dan.fail('SearchMessagesCommand', { query: 'dingo', conversationId: group })).toMatchObject({ code: 'FORBIDDEN', command: 'SearchMessagesCommand' });
    expect(await bodies(dan, 'dingo')).toEqual([]);
  });

  it('shows a late member only what they may see (from their joinedSeq), and a removed member nothing more', async () => {
    await send(ann, 'before dan: marmoset alpha');
    await ann.call('AddMembersCommand', { conversationId: group, clientMessageId: cmid(), memberIds: [ids['dan']!] }, 'AddMembersResponse');
    await send(ann, 'after dan: marmoset beta');
    expect(await bodies(dan, 'marmoset')).toEqual(['after dan: marmoset beta']);
    expect(await bodies(dan, 'marmoset', { conversationId: group })).toEqual(['after dan: marmoset beta']);
    await ann.call('RemoveMemberCommand', { conversationId: group, clientMessageId: cmid(), memberId: ids['dan']! }, 'RemoveMemberResponse');
    expect(await bodies(dan, 'marmoset')).toEqual([]);
    expect((await dan.fail('SearchMessagesCommand', { query: 'marmoset', conversationId: group })).code).toBe('FORBIDDEN');
  });

  it('pages within a conversation with beforeSeq, by seq, newest first; limit defaults to 20', async () => {
    const sent: Message[] = [];
    for (let i = 0; i < 25; i++) sent.push(await send(ben, `pelican number ${i}`, direct));
    const first = await search(ann, 'pelican', { conversationId: direct });
    expect(first.messages.map((m) => m.seq)).toEqual(sent.slice(5).reverse().map((m) => m.seq));
    expect(first.hasMore).toBe(true);
    expect(first.nextBeforeSeq).toBe(sent[5]!.seq);
    const second = await search(ann, 'pelican', { conversationId: direct, beforeSeq: first.nextBeforeSeq! });
    expect(second.messages.map((m) => m.body)).toEqual(['pelican number 4', 'pelican number 3', 'pelican number 2', 'pelican number 1', 'pelican number 0']);
    expect(second.hasMore).toBe(false);
    const small = await search(ann, 'pelican', { limit: 3 });
    expect(small.messages.map((m) => m.body)).toEqual(['pelican number 24', 'pelican number 23', 'pelican number 22']);
    expect(small.hasMore).toBe(true);
  });

  it('refuses bad queries and limits with INVALID_PAYLOAD naming the field', async () => {
    const bad = [
      { query: '' },
      { query: '   ' },
      { query: '!!! ??? ...' },
      { query: 'a'.repeat(201) },
      { query: 'ok', limit: 101 },
      { query: 'ok', limit: 0 },
      { query: 'ok', beforeSeq: 5 },
    ];
    for (const payload of bad) {
      const error = await ann.fail('SearchMessagesCommand', payload);
      expect(error, JSON.stringify(payload).slice(0, 60)).toMatchObject({ code: 'INVALID_PAYLOAD', command: 'SearchMessagesCommand' });
    }
    expect((await ann.fail('SearchMessagesCommand', { query: 'ok', beforeSeq: 5 })).message).toMatch(/beforeSeq/);
    expect((await ann.fail('SearchMessagesCommand', { query: '?!' })).message).toMatch(/letter or digit/);
    // 200 code points of astral characters are 400 UTF-16 units, and allowed.
    expect((await search(ann, '😀'.repeat(199) + 'a')).messages).toEqual([]);
  });
});

describe('search limits', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startTestServer({ limits: { searchesPerUserPerMinute: 3, searchScanLimit: 100 } as never });
  });
  afterAll(() => server.close());

  it('rate-limits searches per user across sockets, and ends a page after searchScanLimit matches examined', async () => {
    const ids = await seedUsers(server, ['eve', 'fay', 'gus']);
    const { client: eve } = await loginAs(server, 'eve');
    const { client: eve2 } = await loginAs(server, 'eve');
    const { client: fay } = await loginAs(server, 'fay');
    const ef = (await eve.call('CreateConversationCommand', { memberIds: [ids['fay']!] }, 'CreateConversationResponse')).conversation.id;
    const fg = (await fay.call('CreateConversationCommand', { memberIds: [ids['gus']!] }, 'CreateConversationResponse')).conversation.id;
    let k = 0;
    await fay.call('SendMessageCommand', { conversationId: ef, clientMessageId: `s${++k}`, body: 'heron old' }, 'SendMessageResponse');
    // 150 newer matches eve may not see: the walk examines 100 and stops.
    for (let i = 0; i < 150; i++) await fay.call('SendMessageCommand', { conversationId: fg, clientMessageId: `s${++k}`, body: `heron ${i}` }, 'SendMessageResponse');
    const cut = await eve.call('SearchMessagesCommand', { query: 'heron', conversationId: ef }, 'SearchMessagesResponse');
    expect(cut.messages).toEqual([]);
    expect(cut.hasMore).toBe(true);
    const rest = await eve.call('SearchMessagesCommand', { query: 'heron', conversationId: ef, beforeSeq: cut.nextBeforeSeq! }, 'SearchMessagesResponse');
    expect(rest.messages.map((m) => m.body)).toEqual(['heron old']);
    expect(rest.hasMore).toBe(false);
    await eve2.call('SearchMessagesCommand', { query: 'heron' }, 'SearchMessagesResponse');
    expect((await eve2.fail('SearchMessagesCommand', { query: 'heron' })).code).toBe('RATE_LIMITED');
    expect((await fay.call('SearchMessagesCommand', { query: 'heron', limit: 1 }, 'SearchMessagesResponse')).messages).toHaveLength(1);
  });
});

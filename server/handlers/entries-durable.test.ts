import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClientCommandInputs, EntryCommandName, Entry } from '../../src/protocol/index';
import type { RunningServer } from '../app';
import { loginAs, seedUsers, startTestServer } from '../test/harness';
import type { Frame, ProtocolClient } from '../test/protocol-client';

/**
 * Exactly once and durable, for every kind of entry, on a database file
 * (the writer thread): resends from any socket and after a restart get the
 * original answer, seqs stay gap-free across kinds and writers, and a
 * deletion leaves no trace of the text in the file.
 */
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function dbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-entries-'));
  dirs.push(dir);
  return join(dir, 'db.sqlite');
}

/** The answer a command's resend must repeat: everything but the requestId and `duplicate`. */
function answerOf(f: Frame): Record<string, unknown> {
  const { requestId: _r, duplicate: _d, ...rest } = f.payload;
  return { name: f.name, ...rest };
}

describe('entries on a database file', () => {
  let server: RunningServer;

  it('answers a resend of every kind with its original, from another socket and after a restart, whatever happened since', async () => {
    const path = dbPath();
    server = await startTestServer({ dbPath: path });
    const ids = await seedUsers(server, ['ann', 'ben', 'cat', 'dan']);
    const { client: ann } = await loginAs(server, 'ann');
    const g = (await ann.call('CreateConversationCommand', { memberIds: [ids['ben']!, ids['cat']!] }, 'CreateConversationResponse')).conversation.id;
    const m = (await ann.call('SendMessageCommand', { conversationId: g, clientMessageId: 'k-send', body: 'hello' }, 'SendMessageResponse')).message;
    const commands: [EntryCommandName, Record<string, unknown>][] = [
      ['SendMessageCommand', { clientMessageId: 'k-send', body: 'hello' }],
      ['EditMessageCommand', { clientMessageId: 'k-edit', targetId: m.id, body: 'hello!' }],
      ['ReactCommand', { clientMessageId: 'k-react', targetId: m.id, emoji: '👍', on: true }],
      ['ReactCommand', { clientMessageId: 'k-react-again', targetId: m.id, emoji: '👍', on: true }],
      ['RenameConversationCommand', { clientMessageId: 'k-title', title: 'Renamed' }],
      ['AddMembersCommand', { clientMessageId: 'k-add', memberIds: [ids['dan']!] }],
      ['RemoveMemberCommand', { clientMessageId: 'k-remove', memberId: ids['cat']! }],
      ['DeleteMessageCommand', { clientMessageId: 'k-delete', targetId: m.id }],
    ];
    const first: Record<string, unknown>[] = [];
    for (const [name, payload] of commands) first.push(answerOf(await ann.request(name, { conversationId: g, ...payload } as ClientCommandInputs[typeof name])));
    expect(first.map((a) => a['name'])).toEqual(commands.map(([name]) => name.replace('Command', 'Response')));
    expect(first[3]).toMatchObject({ entry: null });
    const latest = server.storage.conversations.latestSeq(g);
    // Everything changed since (the message deleted): resends still get what was answered, as it is now.
    const again = async (client: ProtocolClient): Promise<void> => {
      for (const [i, [name, payload]] of commands.entries()) {
        const f = await client.request(name, { conversationId: g, ...payload } as ClientCommandInputs[typeof name]);
        expect(f.name).toBe(first[i]!['name']);
        const entry = f.payload['entry'] ?? f.payload['message'];
        const original = (first[i]!['entry'] ?? first[i]!['message']) as Entry | null;
        expect((entry as Entry | null)?.id).toBe(original?.id);
        expect((entry as Entry | null)?.seq).toBe(original?.seq);
        if (i > 0 && i < 4) expect(JSON.stringify(f.payload)).not.toContain('hello');
        expect(f.payload['duplicate']).toBe(true);
      }
    };
    const { client: ann2 } = await loginAs(server, 'ann');
    await again(ann2);
    expect(server.storage.conversations.latestSeq(g)).toBe(latest);
    await server.close();
    server = await startTestServer({ dbPath: path });
    const { client: ann3 } = await loginAs(server, 'ann');
    await again(ann3);
    expect(server.storage.conversations.latestSeq(g)).toBe(latest);
    // The same clientMessageId for another kind of command: CONFLICT, nothing stored.
    const reused = await ann3.fail('RenameConversationCommand', { conversationId: g, clientMessageId: 'k-edit', title: 'x' });
    expect(reused).toMatchObject({ code: 'CONFLICT', command: 'RenameConversationCommand' });
    expect(reused.message).toContain('edit');
    expect(await ann3.fail('SendMessageCommand', { conversationId: g, clientMessageId: 'k-react-again', body: 'x' })).toMatchObject({ code: 'CONFLICT' });
    expect(server.storage.conversations.latestSeq(g)).toBe(latest);
    await server.close();
  });

  it('keeps seqs gap-free across every kind of entry from concurrent writers on several sockets', async () => {
    const path = dbPath();
    server = await startTestServer({ dbPath: path, limits: { commandsPerSecond: 1e6, commandBurst: 1e6 } });
    const ids = await seedUsers(server, ['ann', 'ben', 'cat']);
    const clients = await Promise.all(['ann', 'ben', 'cat', 'ann', 'ben'].map(async (u) => ({ user: u, client: (await loginAs(server, u)).client })));
    const g = (await clients[0]!.client.call('CreateConversationCommand', { memberIds: [ids['ben']!, ids['cat']!] }, 'CreateConversationResponse')).conversation.id;
    const seed = await Promise.all(clients.map((c, i) => c.client.call('SendMessageCommand', { conversationId: g, clientMessageId: `seed-${i}`, body: `seed ${i}` }, 'SendMessageResponse')));
    const emoji = ['👍', '🎉', '😀', '👀'];
    const answers = await Promise.all(
      clients.flatMap(({ client }, s) =>
        Array.from({ length: 40 }, (_, k) => {
          const own = seed[s]!.message;
          const clientMessageId = `mix-${s}-${k}`;
          switch (k % 4) {
            case 0:
              return client.request('SendMessageCommand', { conversationId: g, clientMessageId, body: `m ${s} ${k}`, replyTo: seed[(s + 1) % seed.length]!.message.id });
            case 1:
              return client.request('ReactCommand', { conversationId: g, clientMessageId, targetId: seed[(s + k) % seed.length]!.message.id, emoji: emoji[k % 4]!, on: k % 3 !== 0 });
            case 2:
              return client.request('EditMessageCommand', { conversationId: g, clientMessageId, targetId: own.id, body: `edit ${k}` });
            default:
              return client.request('RenameConversationCommand', { conversationId: g, clientMessageId, title: `T ${s} ${k}` });
          }
        }),
      ),
    );
    const seqs: number[] = [];
    for (const f of answers) {
      expect(f.name).not.toBe('ErrorResponse');
      const entry = (f.payload['entry'] ?? f.payload['message']) as Entry | null;
      if (entry) seqs.push(entry.seq);
    }
    const stored = server.db.prepare('SELECT seq FROM messages WHERE conversation_id = ? ORDER BY seq').pluck().all(g) as number[];
    expect(stored).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
    expect(seqs.sort((a, b) => a - b)).toEqual(stored.slice(seed.length));
    expect(server.storage.conversations.latestSeq(g)).toBe(stored.length);
    await server.close();
  });

  it('erases a deleted message from the database file: neither its text nor an earlier edit of it is left in any page', async () => {
    const path = dbPath();
    server = await startTestServer({ dbPath: path });
    const ids = await seedUsers(server, ['ann', 'ben']);
    const { client: ann } = await loginAs(server, 'ann');
    const conv = (await ann.call('CreateConversationCommand', { memberIds: [ids['ben']!] }, 'CreateConversationResponse')).conversation.id;
    const secret = 'PINEAPPLE-ZEBRA-7731';
    for (let i = 0; i < 5; i++) await ann.call('SendMessageCommand', { conversationId: conv, clientMessageId: `e-x${i}`, body: `filler ${i}` }, 'SendMessageResponse');
    const m = (await ann.call('SendMessageCommand', { conversationId: conv, clientMessageId: 'e-1', body: `the code is ${secret} ${'.'.repeat(200)}` }, 'SendMessageResponse')).message;
    await ann.call('EditMessageCommand', { conversationId: conv, clientMessageId: 'e-2', targetId: m.id, body: `the code is ${secret}! ${'.'.repeat(100)}` }, 'EditMessageResponse');
    await ann.call('SendMessageCommand', { conversationId: conv, clientMessageId: 'e-x5', body: 'filler 5' }, 'SendMessageResponse');
    await ann.call('DeleteMessageCommand', { conversationId: conv, clientMessageId: 'e-3', targetId: m.id }, 'DeleteMessageResponse');
    await server.close();
    // Closed: the WAL was checkpointed into the file and truncated.
    for (const file of [path, `${path}-wal`]) {
      if (!existsSync(file)) continue;
      expect(readFileSync(file).includes(Buffer.from('PINEAPPLE'))).toBe(false);
    }
    expect(readFileSync(path).includes(Buffer.from('filler 5'))).toBe(true);
  });
});

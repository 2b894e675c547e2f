import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startSocketIoServer } from './socketio-server';
import { openSqliteLog } from './sqlite-message-log';

/**
 * The durable peer does the job it is compared on: a send is acked only once
 * its row is in the file, seqs count per conversation, and a restart on the
 * same file carries on from the stored seqs.
 */
const dirs: string[] = [];
const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dbFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sio-sqlite-'));
  dirs.push(dir);
  return join(dir, 'peer.db');
}

async function client(port: number, token: string): Promise<Socket> {
  const socket = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true, reconnection: false });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  await socket.emitWithAck('login', token);
  return socket;
}

interface Sent {
  message: { seq: number; senderId: string; body: string };
}

describe('Socket.IO + SQLite peer', () => {
  it('stores each message before its ack, with a seq per conversation', async () => {
    const path = dbFile();
    const server = await startSocketIoServer(0, '127.0.0.1', openSqliteLog(path));
    try {
      const alice = await client(server.port, 'alice');
      const reader = new Database(path, { readonly: true });
      try {
        const count = reader.prepare('SELECT seq, sender_id AS senderId, body FROM messages WHERE conversation_id = ? ORDER BY seq');
        const first = (await alice.emitWithAck('send', { conversationId: 'c1', clientMessageId: 'm1', body: 'hello' })) as Sent;
        // The reader sees the row as soon as the ack arrives: the insert committed before the ack left.
        expect(count.all('c1')).toEqual([{ seq: 1, senderId: 'alice', body: 'hello' }]);
        const second = (await alice.emitWithAck('send', { conversationId: 'c1', clientMessageId: 'm2', body: 'again' })) as Sent;
        const other = (await alice.emitWithAck('send', { conversationId: 'c2', clientMessageId: 'm3', body: 'elsewhere' })) as Sent;
        expect([first.message.seq, second.message.seq, other.message.seq]).toEqual([1, 2, 1]);
        expect(count.all('c1')).toHaveLength(2);
      } finally {
        reader.close();
      }
    } finally {
      await server.close();
    }
  });

  it('carries on from the stored seqs after a restart on the same file', async () => {
    const path = dbFile();
    const first = await startSocketIoServer(0, '127.0.0.1', openSqliteLog(path));
    const alice = await client(first.port, 'alice');
    for (const id of ['m1', 'm2', 'm3']) await alice.emitWithAck('send', { conversationId: 'c1', clientMessageId: id, body: id });
    await first.close();
    const second = await startSocketIoServer(0, '127.0.0.1', openSqliteLog(path));
    try {
      const bob = await client(second.port, 'bob');
      expect(await bob.emitWithAck('subscribe', 'c1')).toEqual({ version: 3 });
      const next = (await bob.emitWithAck('send', { conversationId: 'c1', clientMessageId: 'm4', body: 'm4' })) as Sent;
      expect(next.message.seq).toBe(4);
    } finally {
      await second.close();
    }
  });
});

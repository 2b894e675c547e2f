import { createServer } from 'node:http';
import { Server } from 'socket.io';

/**
 * The Socket.IO baselines doing the same job the usual way: a token "login",
 * rooms for conversations, acks for sends, and a broadcast to the room.
 * Where the messages go is the `MessageLog`: in memory (like the raw relay;
 * `socketio`) or a SQLite file written before each ack (`socketio-sqlite`,
 * bench/baselines/sqlite-message-log.ts). Driven by bench/generator/socketio-client.ts.
 * Run: node --import tsx bench/baselines/socketio-server.ts (env PORT, HOST;
 * DB_PATH for the SQLite log).
 */
type Ack = (value: unknown) => void;

/** Stores messages and numbers them per conversation. */
export interface MessageLog {
  /** Stores one message; returns its seq in the conversation. */
  append(conversationId: string, senderId: string, body: string, sentAt: number): number;
  /** The conversation's latest seq, 0 when it has none. */
  latest(conversationId: string): number;
  close(): void;
}

export function memoryLog(): MessageLog {
  const seqs = new Map<string, number>();
  return {
    append: (conversationId) => {
      const seq = (seqs.get(conversationId) ?? 0) + 1;
      seqs.set(conversationId, seq);
      return seq;
    },
    latest: (conversationId) => seqs.get(conversationId) ?? 0,
    close: () => undefined,
  };
}

export function startSocketIoServer(port: number, host = '127.0.0.1', log: MessageLog = memoryLog()): Promise<{ port: number; close(): Promise<void> }> {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
  // Message ids as long as the real server's (bench/targets/baseline-target.ts).
  let messageCount = 0;

  io.on('connection', (socket) => {
    let userId = '';
    socket.on('login', (token: string, ack: Ack) => {
      userId = String(token);
      ack({ loggedIn: true, user: { id: userId } });
    });
    socket.on('subscribe', (conversationId: string, ack: Ack) => {
      void socket.join(conversationId);
      ack({ version: log.latest(conversationId) });
    });
    socket.on('send', (msg: { conversationId: string; clientMessageId: string; body: string }, ack: Ack) => {
      const sentAt = Date.now();
      let seq: number;
      try {
        seq = log.append(msg.conversationId, userId, msg.body, sentAt);
      } catch (error) {
        ack({ error: { code: 'STORE_FAILED', message: `message ${JSON.stringify(msg.clientMessageId)} not stored: ${(error as Error).message}` } });
        return;
      }
      const message = { id: `m_${String(++messageCount).padStart(22, '0')}`, conversationId: msg.conversationId, seq, senderId: userId, clientMessageId: msg.clientMessageId, body: msg.body, sentAt };
      ack({ message });
      socket.to(msg.conversationId).emit('message', message);
    });
  });

  return new Promise((resolve) => {
    http.listen(port, host, () => {
      const address = http.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : port,
        close: () => new Promise((done) => io.close(() => {
          log.close();
          done();
        })),
      });
    });
  });
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').slice(-2).join('/'))) {
  const dbPath = process.env['DB_PATH'];
  const log = dbPath ? (await import('./sqlite-message-log')).openSqliteLog(dbPath) : memoryLog();
  const { port } = await startSocketIoServer(Number(process.env['PORT'] ?? 0), process.env['HOST'] ?? '127.0.0.1', log);
  process.stdout.write(`listening ${port}\n`);
}

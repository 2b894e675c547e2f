import { createServer } from 'node:http';
import { Server } from 'socket.io';

/**
 * The Socket.IO baseline doing the same job the usual way: a token "login",
 * rooms for conversations, acks for sends, and a broadcast to the room.
 * In memory only, like the raw relay. Driven by bench/generator/socketio-client.ts.
 * Run: node --import tsx bench/baselines/socketio-server.ts (env PORT, HOST).
 */
type Ack = (value: unknown) => void;

export function startSocketIoServer(port: number, host = '127.0.0.1'): Promise<{ port: number; close(): Promise<void> }> {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
  const seqs = new Map<string, number>();

  io.on('connection', (socket) => {
    let userId = '';
    socket.on('login', (token: string, ack: Ack) => {
      userId = String(token);
      ack({ loggedIn: true, user: { id: userId } });
    });
    socket.on('subscribe', (conversationId: string, ack: Ack) => {
      void socket.join(conversationId);
      ack({ version: seqs.get(conversationId) ?? 0 });
    });
    socket.on('send', (msg: { conversationId: string; clientMessageId: string; body: string }, ack: Ack) => {
      const seq = (seqs.get(msg.conversationId) ?? 0) + 1;
      seqs.set(msg.conversationId, seq);
      const message = { id: `${msg.conversationId}:${seq}`, conversationId: msg.conversationId, seq, senderId: userId, clientMessageId: msg.clientMessageId, body: msg.body, sentAt: Date.now() };
      ack({ message });
      socket.to(msg.conversationId).emit('message', message);
    });
  });

  return new Promise((resolve) => {
    http.listen(port, host, () => {
      const address = http.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : port,
        close: () => new Promise((done) => io.close(() => done())),
      });
    });
  });
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').slice(-2).join('/'))) {
  const { port } = await startSocketIoServer(Number(process.env['PORT'] ?? 0), process.env['HOST'] ?? '127.0.0.1');
  process.stdout.write(`listening ${port}\n`);
}

import { WebSocketServer, type WebSocket } from 'ws';
import { PROTOCOL_VERSION, DEFAULT_LIMITS, encodeFrame, fullCommandName } from '../../src/protocol/index';

/**
 * The ceiling: a WebSocket server that speaks the Tidings frames minimally and
 * only relays. No storage, no validation, no auth beyond echoing the token as
 * the user id; it assigns per-conversation seqs in memory, acks at once and
 * forwards a ResourceChangedNotification to the conversation's subscribers.
 * Run: node --import tsx bench/baselines/raw-relay.ts (env PORT, HOST).
 */
interface RelaySocket {
  userId: string | null;
  resources: Set<string>;
}

const SEND = fullCommandName('SendMessageCommand');

export function startRawRelay(port: number, host = '127.0.0.1'): Promise<{ port: number; close(): Promise<void> }> {
  const rooms = new Map<string, Set<WebSocket>>();
  const seqs = new Map<string, number>();
  let messageCount = 0;
  const state = new WeakMap<WebSocket, RelaySocket>();
  const wss = new WebSocketServer({ port, host, path: '/ws', perMessageDeflate: false, clientTracking: false });

  function reply(ws: WebSocket, name: string, payload: object, requestId: unknown): void {
    ws.send(encodeFrame(name, requestId === undefined ? payload : { ...payload, requestId }));
  }

  function handle(ws: WebSocket, text: string): void {
    const socket = state.get(ws)!;
    const frame = JSON.parse(text) as Record<string, Record<string, unknown>>;
    const key = Object.keys(frame)[0] ?? '';
    const p = frame[key] ?? {};
    if (key === SEND) {
      const conversationId = String(p['conversationId']);
      const seq = (seqs.get(conversationId) ?? 0) + 1;
      seqs.set(conversationId, seq);
      // As long as the real server's message ids (baseline-target.ts).
      const id = `m_${String(++messageCount).padStart(22, '0')}`;
      const message = { id, conversationId, seq, senderId: socket.userId, clientMessageId: p['clientMessageId'], body: p['body'], sentAt: Date.now() };
      reply(ws, 'SendMessageResponse', { clientMessageId: p['clientMessageId'], message, duplicate: false }, p['requestId']);
      const resource = `messages:${conversationId}`;
      const subscribers = rooms.get(resource);
      if (!subscribers) return;
      const note = encodeFrame('ResourceChangedNotification', { resource, version: seq, ids: [id], items: { [id]: message } });
      for (const other of subscribers) if (other !== ws) other.send(note);
      return;
    }
    const name = key.slice('com.comoyo.'.length);
    switch (name) {
      case 'ClientRegistrationCommand':
        return reply(ws, 'ClientRegistrationResponse', {
          clientId: 'raw',
          protocolVersion: PROTOCOL_VERSION,
          serverTime: Date.now(),
          heartbeatIntervalMs: DEFAULT_LIMITS.heartbeatIntervalMs,
          limits: { maxFrameBytes: DEFAULT_LIMITS.maxFrameBytes, maxBodyLength: DEFAULT_LIMITS.maxBodyLength },
        }, p['requestId']);
      case 'AccountLoginCommand': {
        const token = String((p['userInformation'] as Record<string, unknown> | undefined)?.['sessionToken'] ?? 'anon');
        socket.userId = token;
        return reply(ws, 'AccountLoginResponse', {
          loggedIn: true, sessionToken: token, user: { id: token, username: token, displayName: token }, expiresAt: Date.now() + 86_400_000,
        }, p['requestId']);
      }
      case 'SubscribeCommand': {
        const resource = String(p['resource']);
        let room = rooms.get(resource);
        if (!room) rooms.set(resource, (room = new Set()));
        room.add(ws);
        socket.resources.add(resource);
        const version = resource.startsWith('messages:') ? (seqs.get(resource.slice(9)) ?? 0) : 0;
        return reply(ws, 'SubscribeResponse', { resource, version }, p['requestId']);
      }
      case 'PingCommand':
        return reply(ws, 'PongResponse', { t: p['t'], serverTime: Date.now() }, p['requestId']);
      default:
        return reply(ws, 'ErrorResponse', { code: 'UNKNOWN_COMMAND', message: `raw relay does not do ${name}`, command: name }, p['requestId']);
    }
  }

  wss.on('connection', (ws) => {
    state.set(ws, { userId: null, resources: new Set() });
    ws.on('message', (data) => {
      try {
        handle(ws, data.toString());
      } catch {
        ws.close(1003);
      }
    });
    ws.on('close', () => {
      for (const resource of state.get(ws)?.resources ?? []) rooms.get(resource)?.delete(ws);
    });
    ws.on('error', () => undefined);
  });

  return new Promise((resolve) => {
    wss.on('listening', () => {
      const address = wss.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : port,
        close: () => new Promise((done) => wss.close(() => done())),
      });
    });
  });
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').slice(-2).join('/'))) {
  const { port } = await startRawRelay(Number(process.env['PORT'] ?? 0), process.env['HOST'] ?? '127.0.0.1');
  process.stdout.write(`listening ${port}\n`);
}

import { io, type Socket } from 'socket.io-client';
import type { ArrivedMessage, BenchClient, ClientOptions, FetchedPage } from './bench-client';

/**
 * The same simulated person over Socket.IO, for the baseline in
 * bench/baselines/socketio-server.ts: token login, a room per conversation,
 * acked sends. Socket.IO encodes every emit itself, so nothing is pre-encoded.
 */
export class SocketIoClient implements BenchClient {
  readonly index: number;
  userId = '';
  closeCode: number | null = null;
  private socket: Socket | null = null;
  private readonly options: ClientOptions;

  constructor(options: ClientOptions) {
    this.options = options;
    this.index = options.index;
  }

  get open(): boolean {
    return this.socket?.connected === true;
  }

  async connect(): Promise<Map<string, number>> {
    this.closeCode = null;
    const socket = io(this.options.url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: 30_000,
      localAddress: this.options.localAddress,
    } as Parameters<typeof io>[1]);
    this.socket = socket;
    socket.on('message', (message: ArrivedMessage) => this.options.sink.onArrival(this, message));
    // Socket.IO hides frame sizes; count the packet data as the engine receives it.
    socket.io.engine.on('packet', (packet: { data?: unknown }) => {
      if (typeof packet.data === 'string') this.options.sink.onBytes(packet.data.length);
    });
    socket.on('disconnect', () => {
      this.closeCode = 1006;
      if (this.socket === socket) this.options.sink.onClose(this, 1006);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => reject(new Error(`CONNECT_${error.message}`)));
    });
    const login = (await socket.emitWithAck('login', this.options.token)) as { user: { id: string } };
    this.userId = login.user.id;
    const versions = new Map<string, number>();
    await Promise.all(
      this.options.conversationIds.map(async (id) => {
        const r = (await socket.emitWithAck('subscribe', id)) as { version: number };
        versions.set(id, r.version);
      }),
    );
    return versions;
  }

  send(conversationId: string, clientMessageId: string): void {
    this.socket?.emit('send', { conversationId, clientMessageId, body: this.options.body }, (r: { message?: { seq: number }; error?: { code: string } }) => {
      if (r.message) this.options.sink.onAck(clientMessageId, r.message.seq);
      else this.options.sink.onError(r.error?.code ?? 'NO_MESSAGE', clientMessageId);
    });
  }

  fetchAfter(): Promise<FetchedPage> {
    return Promise.reject(new Error('the Socket.IO baselines answer no history reads'));
  }

  pause(): void {
    (this.socket?.io.engine.transport as unknown as { ws?: { _socket?: { pause(): void } } } | undefined)?.ws?._socket?.pause();
  }

  resume(): void {
    (this.socket?.io.engine.transport as unknown as { ws?: { _socket?: { resume(): void } } } | undefined)?.ws?._socket?.resume();
  }

  close(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.disconnect();
  }
}

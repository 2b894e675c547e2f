import WebSocket from 'ws';
import { encodeFrame, fullCommandName, messagesResource } from '../../src/protocol/index';
import type { ArrivedMessage, BenchClient, ClientOptions, FetchedPage } from './bench-client';

/**
 * A simulated Tidings client over a real `ws` socket. Send frames are
 * pre-encoded per conversation (only the clientMessageId is spliced in), so
 * the generator spends its CPU on the socket, not on JSON.stringify.
 */
const REGISTER = encodeFrame('ClientRegistrationCommand', { requestId: 'reg', clientInformation: { clientMedium: 'bench', clientVersion: '1' } });
const NS = fullCommandName('');
const CHANGED = `{"${NS}ResourceChangedNotification":{`;
const PING = encodeFrame('PingCommand', {});
/** Real clients ping every heartbeatIntervalMs; idle sockets must too or the server drops them. */
const PING_EVERY_MS = 20_000;

interface Pending {
  resolve(payload: Record<string, unknown>): void;
  reject(error: Error): void;
}

export class ProtocolClient implements BenchClient {
  readonly index: number;
  userId = '';
  closeCode: number | null = null;
  private ws: WebSocket | null = null;
  private readonly options: ClientOptions;
  private readonly sendPrefix = new Map<string, string>();
  private readonly pending = new Map<string, Pending>();
  private nextRequest = 0;
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(options: ClientOptions) {
    this.options = options;
    this.index = options.index;
    const body = JSON.stringify(options.body);
    for (const id of options.conversationIds) {
      this.sendPrefix.set(id, `{"${NS}SendMessageCommand":{"conversationId":${JSON.stringify(id)},"body":${body},"clientMessageId":"`);
    }
  }

  get open(): boolean {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  async connect(): Promise<Map<string, number>> {
    this.closeCode = null;
    const ws = new WebSocket(this.options.url, { localAddress: this.options.localAddress, perMessageDeflate: false });
    this.ws = ws;
    ws.on('message', (data) => this.onFrame(String(data)));
    ws.on('close', (code) => {
      this.closeCode = code;
      if (this.heartbeat) clearInterval(this.heartbeat);
      for (const p of this.pending.values()) p.reject(new Error(`CLOSED_${code}`));
      this.pending.clear();
      if (this.ws === ws) this.options.sink.onClose(this, code);
    });
    ws.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('close', (code) => reject(new Error(`CONNECT_CLOSED_${code}`)));
      ws.once('error', (error: NodeJS.ErrnoException) => reject(new Error(error.code ?? 'CONNECT_ERROR')));
    });
    const registered = this.expect('reg');
    ws.send(REGISTER);
    await registered;
    const login = await this.request('AccountLoginCommand', { userInformation: { sessionToken: this.options.token } });
    if (login['loggedIn'] !== true) throw new Error(`LOGIN_${String(login['reason'] ?? 'FAILED')}`);
    this.userId = String((login['user'] as Record<string, unknown>)['id']);
    const versions = new Map<string, number>();
    const subscriptions: Promise<unknown>[] = [];
    if (this.options.subscribeConversations) subscriptions.push(this.request('SubscribeCommand', { resource: 'conversations' }));
    for (const id of this.options.conversationIds) {
      subscriptions.push(this.request('SubscribeCommand', { resource: messagesResource(id) }).then((r) => versions.set(id, Number(r['version']))));
    }
    await Promise.all(subscriptions);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => this.ws?.send(PING), PING_EVERY_MS + Math.random() * 2000);
    this.heartbeat.unref();
    return versions;
  }

  send(conversationId: string, clientMessageId: string): void {
    this.ws?.send(`${this.sendPrefix.get(conversationId)}${clientMessageId}","requestId":"${clientMessageId}"}}`);
  }

  async fetchAfter(conversationId: string, afterSeq: number): Promise<FetchedPage> {
    const r = await this.request('GetMessagesCommand', { conversationId, afterSeq, limit: 500 });
    const messages = Object.values(r['messages'] as Record<string, ArrivedMessage>);
    return { messages, latestSeq: Number(r['latestSeq']), hasMore: r['hasMore'] === true };
  }

  pause(): void {
    this.ws?.pause();
  }

  resume(): void {
    this.ws?.resume();
  }

  close(): void {
    const ws = this.ws;
    this.ws = null;
    if (this.heartbeat) clearInterval(this.heartbeat);
    ws?.terminate();
  }

  private request(name: string, payload: object): Promise<Record<string, unknown>> {
    const requestId = `q${this.nextRequest++}`;
    const answer = this.expect(requestId);
    this.ws?.send(encodeFrame(name, { ...payload, requestId }));
    return answer;
  }

  private expect(requestId: string): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => this.pending.set(requestId, { resolve, reject }));
  }

  private onFrame(text: string): void {
    this.options.sink.onBytes(text.length);
    // Changes to `conversations` and `contacts` carry whole entries (a group's
    // member map, tens of KB for 500 members) that the generator never uses:
    // skip them unparsed, so the generator's JSON.parse is not what is measured.
    if (text.startsWith(CHANGED)) {
      const head = text.slice(CHANGED.length, CHANGED.length + 40);
      if (head.includes('"resource":"conversations"') || head.includes('"resource":"contacts"')) return;
    }
    const frame = JSON.parse(text) as Record<string, Record<string, unknown>>;
    let key = '';
    for (const k in frame) {
      key = k;
      break;
    }
    const payload = frame[key]!;
    const name = key.slice(NS.length);
    const requestId = payload['requestId'] as string | undefined;
    if (name === 'SendMessageResponse') {
      this.options.sink.onAck(String(payload['clientMessageId']), Number((payload['message'] as Record<string, unknown>)['seq']));
      return;
    }
    if (name === 'ResourceChangedNotification') {
      const items = payload['items'] as Record<string, ArrivedMessage> | undefined;
      if (!String(payload['resource']).startsWith('messages:')) return;
      if (!items) {
        this.options.sink.onError('NOTIFICATION_WITHOUT_ITEMS', undefined);
        return;
      }
      for (const id in items) this.options.sink.onArrival(this, items[id]!);
      return;
    }
    if (requestId !== undefined && this.pending.has(requestId)) {
      const p = this.pending.get(requestId)!;
      this.pending.delete(requestId);
      if (name === 'ErrorResponse') p.reject(new Error(String(payload['code'])));
      else p.resolve(payload);
      return;
    }
    if (name === 'ErrorResponse') this.options.sink.onError(String(payload['code']), requestId);
    else if (name !== 'PongResponse' && name !== 'SubscribeResponse') this.options.sink.onNotice(this, name);
  }
}

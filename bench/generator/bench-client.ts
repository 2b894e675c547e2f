/**
 * What a simulated person does, whatever the transport: connect and log in,
 * send into a conversation, and report acks, arrivals and errors to its
 * owner. The Tidings protocol client and the Socket.IO driver both implement it.
 */
export interface ArrivedMessage {
  conversationId: string;
  seq: number;
  senderId: string;
  clientMessageId: string;
}

export interface ClientSink {
  onAck(clientMessageId: string, seq: number): void;
  onArrival(client: BenchClient, message: ArrivedMessage): void;
  onError(code: string, clientMessageId: string | undefined): void;
  onClose(client: BenchClient, code: number): void;
  /** Any other unsolicited frame (a resync hint, a revoked session): recorded by name. */
  onNotice(client: BenchClient, name: string): void;
  /** Every frame's size as received, parsed or not: what the server made this client read. */
  onBytes(bytes: number): void;
}

export interface FetchedPage {
  messages: ArrivedMessage[];
  latestSeq: number;
  hasMore: boolean;
}

export interface BenchClient {
  readonly index: number;
  readonly userId: string;
  readonly open: boolean;
  readonly closeCode: number | null;
  /** Opens the socket, registers, logs in by token, subscribes; resolves with each conversation's version (latest seq). */
  connect(): Promise<Map<string, number>>;
  send(conversationId: string, clientMessageId: string): void;
  /** Catch-up read of one conversation after `afterSeq` (the Tidings protocol only). */
  fetchAfter(conversationId: string, afterSeq: number): Promise<FetchedPage>;
  /** Stops reading the socket (a slow consumer) and starts again. */
  pause(): void;
  resume(): void;
  close(): void;
}

export interface ClientOptions {
  index: number;
  url: string;
  token: string;
  conversationIds: string[];
  subscribeConversations: boolean;
  localAddress: string;
  body: string;
  sink: ClientSink;
}

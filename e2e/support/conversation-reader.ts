import type { Entry, Message } from '../../src/protocol/index';
import { ProtocolClient } from '../../server/test/protocol-client';

/**
 * Reads a conversation straight from the server over its own socket, as one
 * of the members: the truth the e2e specs compare the app against (a
 * virtual message list renders only what is on screen, so counting rows
 * cannot prove "no duplicate, no gap").
 */
export class ConversationReader {
  private client: ProtocolClient | null = null;
  private closed = false;

  private constructor(
    private readonly wsUrl: string,
    private readonly username: string,
    private readonly password: string,
  ) {}

  static async open(wsUrl: string, username: string, password: string): Promise<ConversationReader> {
    const reader = new ConversationReader(wsUrl, username, password);
    await reader.connected();
    return reader;
  }

  /** The socket, opened (again) when the server dropped it: `/__test__/drop` closes ours too. */
  private async connected(): Promise<ProtocolClient> {
    if (this.client && this.client.ws.readyState === this.client.ws.OPEN) return this.client;
    this.client?.close();
    const client = await ProtocolClient.connect(this.wsUrl, { timeoutMs: 5000 });
    await client.register();
    const login = await client.call('AccountLoginCommand', { userInformation: { username: this.username, password: this.password } }, 'AccountLoginResponse');
    if (!login.loggedIn) throw new Error(`${this.username} could not log in: ${login.reason}`);
    if (this.closed) client.close();
    this.client = client;
    return client;
  }

  /** One request, retried once on a fresh socket if the first one was cut. */
  private async call<T>(run: (client: ProtocolClient) => Promise<T>): Promise<T> {
    try {
      const client = await this.connected();
      // A request on a socket the server just closed gets no answer: fail at the close, not at the timeout.
      return await Promise.race([run(client), client.closed.then((): never => { throw new Error('socket closed'); })]);
    } catch {
      this.client?.close();
      this.client = null;
      return run(await this.connected());
    }
  }

  /** Every message with seq > afterSeq, oldest first, paging until the end (entries of other kinds left out). */
  async messagesAfter(conversationId: string, afterSeq = 0): Promise<Message[]> {
    return (await this.entriesAfter(conversationId, afterSeq)).filter((e): e is Message => e.kind === 'message');
  }

  /** Every entry (messages, edits, deletions, reactions, ...) with seq > afterSeq, oldest first. */
  async entriesAfter(conversationId: string, afterSeq = 0): Promise<Entry[]> {
    const out: Entry[] = [];
    let from = afterSeq;
    for (;;) {
      const page = await this.call((c) => c.call('GetMessagesCommand', { conversationId, afterSeq: from, limit: 500 }, 'MessagesResponse'));
      const messages = Object.values(page.messages).sort((a, b) => a.seq - b.seq);
      out.push(...messages);
      if (!page.hasMore || messages.length === 0) return out;
      from = messages[messages.length - 1]!.seq;
    }
  }

  async latestSeq(conversationId: string): Promise<number> {
    const page = await this.call((c) => c.call('GetMessagesCommand', { conversationId, afterSeq: 0, limit: 1 }, 'MessagesResponse'));
    return page.latestSeq;
  }

  /** Sends each body in turn as this member, waiting for each acknowledgement (the server's rate limit allows the pace). */
  async write(conversationId: string, bodies: string[]): Promise<void> {
    for (const [i, body] of bodies.entries()) {
      const clientMessageId = `e2e-${Date.now()}-${i}`;
      await this.call((c) => c.call('SendMessageCommand', { conversationId, clientMessageId, body }, 'SendMessageResponse'));
    }
  }

  close(): void {
    this.closed = true;
    this.client?.close();
  }
}

/** Asserts-friendly summary: the bodies in seq order, and whether the seqs run without a gap. */
export function seqsAreContiguous(messages: Pick<Entry, 'seq'>[]): boolean {
  return messages.every((m, i) => i === 0 || m.seq === messages[i - 1]!.seq + 1);
}

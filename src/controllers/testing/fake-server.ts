import { FakeWebSocket } from '../../communicator/testing/fake-web-socket';
import type { Contact, Conversation, DecodedFrame, ErrorCode, Message, User } from '../../protocol';
import { FakeAccounts } from './fake-accounts';

export interface Connection {
  socket: FakeWebSocket;
  registered: boolean;
  userId: string | null;
  token: string | null;
  subscriptions: Set<string>;
}

/**
 * A small scripted protocol server behind FakeWebSocket, for controller tests:
 * accounts, tokens, contacts, conversations with gap-free seqs, idempotent
 * sends, notifications with inline items, and switches to misbehave
 * (rate-limit or refuse sends, stay silent, expire tokens, drop sockets).
 */
export class FakeServer {
  readonly users = new Map<string, { user: User; password: string }>();
  readonly tokens = new Map<string, string>();
  readonly conversations = new Map<string, Conversation>();
  readonly messages = new Map<string, Message[]>();
  readonly connections: Connection[] = [];
  /** The next N SendMessageCommands are answered RATE_LIMITED. */
  rateLimitSends = 0;
  /** Sends to these conversations are refused with the code. */
  readonly refuse = new Map<string, ErrorCode>();
  /** Answers nothing while true (a dead link that still looks open). */
  silent = false;
  /** Notifications carry inline items unless false. */
  inlineItems = true;
  /**
   * The sending socket gets the `messages:` notification of its own send
   * unless false (the real server leaves it out: the ack carries the message).
   */
  notifySender = true;
  /** A new message also notifies `conversations` (its entry inline) to the members' sockets, as the real server does. */
  notifyConversations = false;
  /** Answers to these commands leave this many ms after the command came (a slow link). */
  readonly replyDelayMs = new Map<string, number>();
  /** The next frames of a command are answered with these codes, one each. */
  readonly refuseNext = new Map<string, ErrorCode[]>();
  /** The next logins are answered THROTTLED with these retryAfterMs, one each. */
  readonly throttleNextLogins: number[] = [];
  /** The next N frames of a command are never answered (lost on a link that stays open). */
  readonly ignoreNext = new Map<string, number>();
  /** Lists (contacts, conversations) are served in pages of this many, in id order, as the real server cuts them by bytes. */
  listPageSize = Infinity;
  /** Message pages hold at most this many, whatever the limit asked (the real server's byte cut). */
  messagesPageCap = Infinity;
  /** Contact requests, blocks, account commands and the session cookie (fake-accounts.ts). */
  readonly accounts = new FakeAccounts(this);
  private tokenCounter = 0;
  private messageCounter = 0;
  private conversationsVersion = 1;

  constructor() {
    FakeWebSocket.responder = (frame, socket) => queueMicrotask(() => this.handle(frame, socket));
  }

  addUser(id: string, username: string): User {
    const user = { id, username, displayName: username[0]!.toUpperCase() + username.slice(1) };
    this.users.set(username, { user, password: `tidings-${username}` });
    return user;
  }

  addConversation(id: string, memberIds: string[]): Conversation {
    const members = Object.fromEntries(memberIds.map((m) => [m, { deliveredSeq: 0, readSeq: 0 }]));
    const conversation: Conversation = { id, kind: memberIds.length > 2 ? 'group' : 'direct', title: '', memberIds, latestSeq: 0, updatedAt: 1, members };
    this.conversations.set(id, conversation);
    this.messages.set(id, []);
    return conversation;
  }

  /** Stores a message as if sent by `senderId` and notifies subscribers. */
  post(conversationId: string, senderId: string, body: string, clientMessageId = `srv-${++this.messageCounter}`, notify = true, from: Connection | null = null): Message {
    const list = this.messages.get(conversationId)!;
    const existing = list.find((m) => m.senderId === senderId && m.clientMessageId === clientMessageId);
    if (existing) return existing;
    const conversation = this.conversations.get(conversationId)!;
    const message: Message = { id: `m-${conversationId}-${list.length + 1}`, conversationId, seq: list.length + 1, senderId, clientMessageId, body, sentAt: 1000 + list.length };
    list.push(message);
    conversation.latestSeq = message.seq;
    conversation.updatedAt = message.sentAt;
    if (notify) this.notifyMessage(message, from);
    if (this.notifyConversations) this.notifyConversation(conversation);
    return message;
  }

  notifyMessage(message: Message, from: Connection | null = null): void {
    const resource = `messages:${message.conversationId}`;
    for (const c of this.connections) {
      if (!c.subscriptions.has(resource)) continue;
      if (c === from && !this.notifySender) continue;
      const items = this.inlineItems ? { items: { [message.id]: message } } : {};
      c.socket.receive('ResourceChangedNotification', { resource, version: message.seq, ids: [message.id], ...items });
    }
  }

  notifyConversation(conversation: Conversation): void {
    for (const c of this.connections) {
      if (!c.subscriptions.has('conversations') || !c.userId || !conversation.memberIds.includes(c.userId)) continue;
      c.socket.receive('ResourceChangedNotification', { resource: 'conversations', version: ++this.conversationsVersion, ids: [conversation.id], items: { [conversation.id]: { ...conversation } } });
    }
  }

  connectionOf(socket: FakeWebSocket): Connection {
    let connection = this.connections.find((c) => c.socket === socket);
    if (!connection) this.connections.push((connection = { socket, registered: false, userId: null, token: null, subscriptions: new Set() }));
    return connection;
  }

  /** Opens every socket the client has created and not opened yet. */
  acceptAll(): void {
    for (const socket of FakeWebSocket.instances) if (socket.readyState === 0) socket.open();
  }

  dropAll(): void {
    for (const c of this.connections.splice(0)) c.socket.close(1006, 'dropped');
  }

  /** One page of a list in id order after `afterId`, filtered by `ids`, and the hasMore/lastId that go with it. */
  private listPage<T extends { id: string }>(all: T[], p: Record<string, unknown>): { items: T[]; more: object } {
    const ids = p['ids'] as string[] | undefined;
    const afterId = (p['afterId'] as string | undefined) ?? '';
    const rest = all.filter((x) => x.id > afterId && (!ids || ids.includes(x.id))).sort((a, b) => (a.id < b.id ? -1 : 1));
    const items = rest.slice(0, this.listPageSize);
    if (this.listPageSize === Infinity) return { items, more: {} };
    return { items, more: items.length < rest.length ? { hasMore: true, lastId: items.at(-1)!.id } : { hasMore: false } };
  }

  private handle(frame: DecodedFrame, socket: FakeWebSocket): void {
    if (this.silent || socket.readyState !== 1) return;
    const c = this.connectionOf(socket);
    const p = frame.payload;
    const s = (key: string): string => p[key] as string;
    const requestId = p['requestId'] as string | undefined;
    const delay = this.replyDelayMs.get(frame.name);
    const deliver = (name: string, payload: object): void => {
      if (delay === undefined) return socket.receive(name, payload);
      setTimeout(() => socket.readyState === 1 && socket.receive(name, payload), delay);
    };
    const reply = (name: string, payload: object): void => deliver(name, requestId ? { ...payload, requestId } : payload);
    const fail = (code: ErrorCode, message: string): void => reply('ErrorResponse', { code, message, command: frame.name });
    const ignored = this.ignoreNext.get(frame.name) ?? 0;
    if (ignored > 0) return void this.ignoreNext.set(frame.name, ignored - 1);
    const refusal = this.refuseNext.get(frame.name)?.shift();
    if (refusal) return fail(refusal, 'refused (scripted)');
    const userId = c.userId;
    switch (frame.name) {
      case 'ClientRegistrationCommand':
        c.registered = true;
        return reply('ClientRegistrationResponse', { clientId: 'cid', protocolVersion: 1, serverTime: 0, heartbeatIntervalMs: 25_000, limits: { maxFrameBytes: 65536, maxBodyLength: 4000 } });
      case 'PingCommand':
        return reply('PongResponse', { serverTime: 0 });
      case 'AccountLoginCommand': {
        const retryAfterMs = this.throttleNextLogins.shift();
        if (retryAfterMs !== undefined) return reply('AccountLoginResponse', { loggedIn: false, reason: 'THROTTLED', retryAfterMs });
        if (this.accounts.cookieLogin(c, p, reply)) return;
        const info = p['userInformation'] as unknown as { username?: string; password?: string; sessionToken?: string };
        let user: User | undefined;
        let token = info.sessionToken;
        if (token) user = [...this.users.values()].find((u) => u.user.id === this.tokens.get(token!))?.user;
        else {
          const account = this.users.get(info.username ?? '');
          if (account && account.password === info.password) user = account.user;
          token = `tok-${++this.tokenCounter}`;
          if (user) this.tokens.set(token, user.id);
        }
        if (!user) return reply('AccountLoginResponse', { loggedIn: false, reason: info.sessionToken ? 'SESSION_EXPIRED' : 'BAD_CREDENTIALS' });
        c.userId = user.id;
        c.token = token!;
        return reply('AccountLoginResponse', { loggedIn: true, sessionToken: token, user, expiresAt: 0 });
      }
      case 'AccountCreateCommand': {
        const info = p['userInformation'] as unknown as { username: string; password: string };
        if (this.users.has(info.username)) return fail('CONFLICT', `username ${info.username} is taken`);
        const user = this.addUser(`u-${info.username}`, info.username);
        this.users.get(info.username)!.password = info.password;
        return reply('AccountCreateResponse', { created: true, user });
      }
      case 'AccountLogoutCommand':
        this.tokens.delete(c.token ?? '');
        for (const other of this.connections) if (other !== c && other.token === c.token) other.socket.receive('SessionRevokedNotification', {});
        c.userId = null;
        return reply('AccountLogoutResponse', { loggedOut: true });
    }
    if (userId === null) return fail('NOT_AUTHENTICATED', 'log in first');
    if (this.accounts.command(frame.name, c, userId, p, reply, fail)) return;
    switch (frame.name) {
      case 'SubscribeCommand':
        c.subscriptions.add(s('resource'));
        return reply('SubscribeResponse', { resource: s('resource'), version: 1 });
      case 'GetContactsCommand': {
        const contacts = [...this.users.values()].filter(({ user }) => user.id !== userId).map(({ user }) => this.accounts.contactEntry(userId, user)).filter((x): x is Contact => x !== null);
        const { items, more } = this.listPage(contacts, p);
        return reply('ContactsResponse', { contacts: Object.fromEntries(items.map((c) => [c.id, c])), version: 1, ...more });
      }
      case 'GetConversationsCommand': {
        const mine = [...this.conversations.values()].filter((conv) => conv.memberIds.includes(userId));
        const { items, more } = this.listPage(mine, p);
        return reply('ConversationsResponse', { conversations: Object.fromEntries(items.map((conv) => [conv.id, conv])), version: 1, ...more });
      }
      case 'GetMessagesCommand': {
        const list = this.messages.get(s('conversationId')) ?? [];
        const limit = Math.min((p['limit'] as number | undefined) ?? 100, this.messagesPageCap);
        const before = p['beforeSeq'] as number | undefined;
        const page = before !== undefined ? list.filter((m) => m.seq < before).slice(-limit) : list.filter((m) => m.seq > ((p['afterSeq'] as number | undefined) ?? 0)).slice(0, limit);
        const hasMore = before !== undefined ? (page[0]?.seq ?? 1) > 1 : (page.at(-1)?.seq ?? 0) < list.length;
        return reply('MessagesResponse', { conversationId: s('conversationId'), messages: Object.fromEntries(page.map((m) => [m.id, m])), latestSeq: list.length, hasMore });
      }
      case 'SendMessageCommand': {
        if (this.rateLimitSends > 0) {
          this.rateLimitSends--;
          return fail('RATE_LIMITED', 'slow down');
        }
        const refusal = this.refuse.get(s('conversationId'));
        if (refusal) return fail(refusal, 'refused');
        const list = this.messages.get(s('conversationId')) ?? [];
        const duplicate = list.some((m) => m.senderId === userId && m.clientMessageId === s('clientMessageId'));
        const message = this.post(s('conversationId'), userId, s('body'), s('clientMessageId'), !duplicate, c);
        return reply('SendMessageResponse', { clientMessageId: s('clientMessageId'), message, duplicate });
      }
      case 'AckMessagesCommand':
      case 'MarkReadCommand':
        return reply(frame.name === 'AckMessagesCommand' ? 'AckMessagesResponse' : 'MarkReadResponse', { conversationId: s('conversationId'), seq: p['seq'] });
      case 'TypingCommand':
        return;
      default:
        return fail('UNKNOWN_COMMAND', frame.name);
    }
  }
}

import { FakeWebSocket } from '../../communicator/testing/fake-web-socket';
import { ENTRY_COMMANDS, ProtocolError, parseResource, type Contact, type Conversation, type DecodedFrame, type Entry, type ErrorCode, type Message, type User } from '../../protocol';
import { FakeLog, type FakeConversation, type Logged } from './fake-log';

interface Connection {
  socket: FakeWebSocket;
  registered: boolean;
  userId: string | null;
  token: string | null;
  subscriptions: Set<string>;
}

/**
 * A small scripted protocol server (version 2) behind FakeWebSocket, for
 * controller tests: accounts, tokens, contacts, conversations whose logs
 * hold entries of every kind with gap-free seqs (fake-log.ts: the writing
 * commands and their rules, GONE, FORBIDDEN, the visibility floor),
 * idempotent writes by (sender, clientMessageId), the receipts resource,
 * notifications with inline items, and switches to misbehave (rate-limit
 * or refuse sends, stay silent, expire tokens, drop sockets).
 */
export class FakeServer {
  readonly users = new Map<string, { user: User; password: string }>();
  readonly tokens = new Map<string, string>();
  readonly log = new FakeLog();
  readonly connections: Connection[] = [];
  /** The answer of every write, by sender and clientMessageId: a resend gets it again, with duplicate true. */
  private readonly answers = new Map<string, { name: string; payload: Record<string, unknown> }>();
  /** Every conversation, with every member's positions (the per-caller view is `viewOf`). */
  get conversations(): Map<string, FakeConversation> {
    return this.log.conversations;
  }

  /** Each conversation's messages as they are now (the log's other kinds left out). */
  get messages(): Map<string, Message[]> {
    return new Map([...this.log.entries].map(([id, list]) => [id, list.filter((e): e is Message => e.kind === 'message')]));
  }

  /** A conversation as `userId` receives it. */
  viewOf(conversationId: string, userId: string): Conversation {
    return this.log.viewOf(conversationId, userId);
  }

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

  addConversation(id: string, memberIds: string[], kind?: 'direct' | 'group'): FakeConversation {
    return this.log.addConversation(id, memberIds, kind);
  }

  /** Stores a message as if sent by `senderId` and notifies subscribers. */
  post(conversationId: string, senderId: string, body: string, clientMessageId = `srv-${++this.messageCounter}`, notify = true, from: Connection | null = null): Message {
    const existing = this.messages.get(conversationId)!.find((m) => m.senderId === senderId && m.clientMessageId === clientMessageId);
    if (existing) return existing;
    const message = this.log.post(conversationId, senderId, body, clientMessageId);
    this.afterAppend(message, notify, from);
    return message;
  }

  /** Runs a writing command as `userId` would send it (for tests: another person edits, reacts, removes someone) and notifies like a real one. */
  write(name: string, userId: string, payload: Record<string, unknown>, notify = true): Entry | null {
    const answer = this.log.write(name, userId, payload);
    const entry = (answer.payload['message'] ?? answer.payload['entry'] ?? null) as Entry | null;
    if (entry) this.afterAppend(entry, notify, null);
    return entry;
  }

  private afterAppend(entry: Logged | Entry, notify: boolean, from: Connection | null): void {
    const conversation = this.log.conversations.get(entry.conversationId)!;
    if (notify) this.notifyMessage(entry, from);
    // A removed member is told once: the members entry (above) and the conversation without them.
    const removed = entry.kind === 'members' ? entry.removed : [];
    if (this.notifyConversations || entry.kind === 'members' || entry.kind === 'title') this.notifyConversation(conversation, removed);
  }

  notifyMessage(message: Logged | Entry, from: Connection | null = null): void {
    const resource = `messages:${message.conversationId}`;
    const conversation = this.log.conversations.get(message.conversationId)!;
    const served = 'target' in message ? message : this.log.serve(message);
    const removed = message.kind === 'members' ? message.removed : [];
    for (const c of this.connections) {
      if (!c.subscriptions.has(resource) || !c.userId) continue;
      if (c === from && !this.notifySender) continue;
      const member = conversation.memberIds.includes(c.userId) && message.seq >= conversation.members[c.userId]!.joinedSeq;
      if (!member && !removed.includes(c.userId)) continue;
      const items = this.inlineItems ? { items: { [message.id]: served } } : {};
      c.socket.receive('ResourceChangedNotification', { resource, version: message.seq, ids: [message.id], ...items });
    }
  }

  /** Tells every member (and `alsoTo`, members just removed) the conversation as each of them sees it. */
  notifyConversation(conversation: FakeConversation, alsoTo: string[] = []): void {
    for (const c of this.connections) {
      if (!c.subscriptions.has('conversations') || !c.userId) continue;
      if (!conversation.memberIds.includes(c.userId) && !alsoTo.includes(c.userId)) continue;
      const view = this.log.viewOf(conversation.id, c.userId);
      c.socket.receive('ResourceChangedNotification', { resource: 'conversations', version: ++this.conversationsVersion, ids: [conversation.id], items: { [conversation.id]: view } });
    }
  }

  /** Tells the subscribers of `receipts:<id>` the member whose positions moved. */
  private notifyReceipts(conversation: FakeConversation, userId: string): void {
    const resource = `receipts:${conversation.id}`;
    const { deliveredSeq, readSeq } = conversation.members[userId]!;
    for (const c of this.connections) {
      if (!c.subscriptions.has(resource) || !c.userId || !conversation.memberIds.includes(c.userId)) continue;
      c.socket.receive('ResourceChangedNotification', { resource, version: Math.max(deliveredSeq, readSeq), ids: [userId], items: { [userId]: { deliveredSeq, readSeq } } });
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
        return reply('ClientRegistrationResponse', { clientId: 'cid', protocolVersion: 2, serverTime: 0, heartbeatIntervalMs: 25_000, limits: { maxFrameBytes: 65536, maxBodyLength: 4000 } });
      case 'PingCommand':
        return reply('PongResponse', { serverTime: 0 });
      case 'AccountLoginCommand': {
        const retryAfterMs = this.throttleNextLogins.shift();
        if (retryAfterMs !== undefined) return reply('AccountLoginResponse', { loggedIn: false, reason: 'THROTTLED', retryAfterMs });
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
    switch (frame.name) {
      case 'SubscribeCommand': {
        const resource = parseResource(s('resource'));
        if (!resource) return fail('NOT_FOUND', `no resource ${s('resource')}`);
        if (resource.kind === 'messages' || resource.kind === 'receipts') {
          const conversation = this.log.conversations.get(resource.conversationId);
          if (!conversation) return fail('NOT_FOUND', `no conversation ${resource.conversationId}`);
          if (!conversation.memberIds.includes(userId)) return fail('FORBIDDEN', `not a member of ${resource.conversationId}`);
        }
        c.subscriptions.add(s('resource'));
        return reply('SubscribeResponse', { resource: s('resource'), version: 1 });
      }
      case 'UnsubscribeCommand':
        c.subscriptions.delete(s('resource'));
        return reply('UnsubscribeResponse', { resource: s('resource') });
      case 'GetContactsCommand': {
        const contacts = [...this.users.values()].filter(({ user }) => user.id !== userId).map(({ user }): Contact => ({ ...user, online: true, lastSeenAt: null }));
        const { items, more } = this.listPage(contacts, p);
        return reply('ContactsResponse', { contacts: Object.fromEntries(items.map((c) => [c.id, c])), version: 1, ...more });
      }
      case 'GetConversationsCommand': {
        const mine = [...this.conversations.values()].filter((conv) => conv.memberIds.includes(userId)).map((conv) => this.log.viewOf(conv.id, userId));
        const { items, more } = this.listPage(mine, p);
        return reply('ConversationsResponse', { conversations: Object.fromEntries(items.map((conv) => [conv.id, conv])), version: 1, ...more });
      }
      case 'GetMessagesCommand': {
        const conversationId = s('conversationId');
        const conversation = this.log.conversations.get(conversationId);
        if (!conversation) return fail('NOT_FOUND', `no conversation ${conversationId}`);
        if (!conversation.memberIds.includes(userId)) return fail('FORBIDDEN', `not a member of ${conversationId}`);
        const list = this.log.visibleTo(conversationId, userId);
        const latestSeq = conversation.latestSeq;
        const ids = p['ids'] as string[] | undefined;
        if (ids) {
          const page = list.filter((e) => ids.includes(e.id));
          return reply('MessagesResponse', { conversationId, messages: Object.fromEntries(page.map((e) => [e.id, this.log.serve(e)])), latestSeq, hasMore: false });
        }
        const limit = Math.min((p['limit'] as number | undefined) ?? 100, this.messagesPageCap);
        const before = p['beforeSeq'] as number | undefined;
        const floor = list[0]?.seq ?? latestSeq + 1;
        const page = before !== undefined ? list.filter((m) => m.seq < before).slice(-limit) : list.filter((m) => m.seq > ((p['afterSeq'] as number | undefined) ?? 0)).slice(0, limit);
        const hasMore = before !== undefined ? (page[0]?.seq ?? floor) > floor : (page.at(-1)?.seq ?? 0) < latestSeq;
        return reply('MessagesResponse', { conversationId, messages: Object.fromEntries(page.map((m) => [m.id, this.log.serve(m)])), latestSeq, hasMore });
      }
      case 'GetReceiptsCommand': {
        const conversation = this.log.conversations.get(s('conversationId'));
        if (!conversation) return fail('NOT_FOUND', `no conversation ${s('conversationId')}`);
        if (!conversation.memberIds.includes(userId)) return fail('FORBIDDEN', `not a member of ${conversation.id}`);
        const members = Object.fromEntries(conversation.memberIds.map((id) => [id, { deliveredSeq: conversation.members[id]!.deliveredSeq, readSeq: conversation.members[id]!.readSeq }]));
        return reply('ReceiptsResponse', { conversationId: conversation.id, members });
      }
      case 'AckMessagesCommand':
      case 'MarkReadCommand': {
        const conversation = this.log.conversations.get(s('conversationId'));
        const member = conversation?.members[userId];
        if (!conversation || !member || !conversation.memberIds.includes(userId)) return fail('FORBIDDEN', `not a member of ${s('conversationId')}`);
        const seq = Math.min(p['seq'] as number, conversation.latestSeq);
        const before = { ...member };
        member.deliveredSeq = Math.max(member.deliveredSeq, seq);
        if (frame.name === 'MarkReadCommand') member.readSeq = Math.max(member.readSeq, seq);
        if (member.deliveredSeq !== before.deliveredSeq || member.readSeq !== before.readSeq) {
          this.notifyReceipts(conversation, userId);
          if (this.notifyConversations) this.notifyConversation(conversation);
        }
        return reply(frame.name === 'AckMessagesCommand' ? 'AckMessagesResponse' : 'MarkReadResponse', { conversationId: conversation.id, seq: frame.name === 'AckMessagesCommand' ? member.deliveredSeq : member.readSeq });
      }
      case 'TypingCommand':
        return;
    }
    if ((ENTRY_COMMANDS as readonly string[]).includes(frame.name)) return this.handleWrite(frame.name, userId, p, c, reply, fail);
    return fail('UNKNOWN_COMMAND', frame.name);
  }

  /**
   * A writing command (section 8): rate limits and scripted refusals first,
   * then the answer stored for a resend (duplicate: true, whatever happened
   * since), then membership, then the log's rules.
   */
  private handleWrite(name: string, userId: string, p: Record<string, unknown>, c: Connection, reply: (name: string, payload: object) => void, fail: (code: ErrorCode, message: string) => void): void {
    if (name === 'SendMessageCommand' && this.rateLimitSends > 0) {
      this.rateLimitSends--;
      return fail('RATE_LIMITED', 'slow down');
    }
    const conversationId = p['conversationId'] as string;
    const refusal = this.refuse.get(conversationId);
    if (refusal) return fail(refusal, 'refused');
    const key = `${userId}\u0000${p['clientMessageId'] as string}`;
    const earlier = this.answers.get(key);
    if (earlier) return reply(earlier.name, { ...this.fresh(earlier.payload), duplicate: true });
    // A message a test posted with this clientMessageId (stored, its answer lost) is answered as a resend.
    const posted = name === 'SendMessageCommand' ? this.messages.get(conversationId)?.find((m) => m.senderId === userId && m.clientMessageId === p['clientMessageId']) : undefined;
    if (posted) return reply('SendMessageResponse', { clientMessageId: posted.clientMessageId, message: this.log.serve(posted), duplicate: true });
    const conversation = this.log.conversations.get(conversationId);
    if (!conversation) return fail('NOT_FOUND', `no conversation ${conversationId}`);
    if (!conversation.memberIds.includes(userId)) return fail('FORBIDDEN', `not a member of ${conversationId}`);
    let answer;
    try {
      answer = this.log.write(name, userId, p);
    } catch (error) {
      if (error instanceof ProtocolError) return fail(error.code, error.message);
      throw error;
    }
    this.answers.set(key, answer);
    const entry = (answer.payload['message'] ?? answer.payload['entry'] ?? null) as Entry | null;
    if (entry) this.afterAppend(entry, true, c);
    reply(answer.name, { ...answer.payload, duplicate: false });
  }

  /** A stored answer as served again: its entry and message as they are now (a deletion since erases them). */
  private fresh(payload: Record<string, unknown>): Record<string, unknown> {
    const out = { ...payload };
    for (const key of ['message', 'entry', 'target'] as const) {
      const value = out[key] as Entry | null | undefined;
      if (!value) continue;
      const logged = this.log.entries.get(value.conversationId)?.find((e) => e.id === value.id);
      if (logged) out[key] = this.log.serve(logged);
    }
    return out;
  }
}

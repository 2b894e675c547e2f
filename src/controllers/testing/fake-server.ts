import { FakeWebSocket } from '../../communicator/testing/fake-web-socket';
import type { Contact, Conversation, DecodedFrame, ErrorCode, Message, User } from '../../protocol';

interface Connection {
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
        if (this.cookieLogin(c, p, reply)) return;
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
    if (this.accountCommand(frame.name, c, userId, p, reply, fail)) return;
    switch (frame.name) {
      case 'SubscribeCommand':
        c.subscriptions.add(s('resource'));
        return reply('SubscribeResponse', { resource: s('resource'), version: 1 });
      case 'GetContactsCommand': {
        const contacts = [...this.users.values()].filter(({ user }) => user.id !== userId).map(({ user }) => this.contactEntry(userId, user)).filter((x): x is Contact => x !== null);
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
  // ---- Account, sessions, contact requests and the session cookie (docs/PROTOCOL.md sections 11-13) ----

  /** How each user stands with another: key `${a}>${b}` is a's view of b. Absent: accepted (the seed's contacts). */
  readonly relations = new Map<string, { state: 'accepted' | 'outgoing' | 'incoming' | 'none' | 'gone'; blocked: boolean }>();
  /** The device's HttpOnly cookie (the token the browser would send with an upgrade), or null. */
  cookieJar: string | null = null;
  /** Cookie codes handed out at bindCookie logins: code -> token, until used. */
  readonly cookieCodes = new Map<string, string>();
  /** The next N POSTs to the cookie route fail as if the network were cut. */
  cookieRouteDown = 0;
  /** The cookie route answers 400 to every code (spent or unknown, as after a replay). */
  cookieRouteRefuses = false;
  /** Every request to the cookie route, in order. */
  readonly cookieRequests: { method: string; code?: string }[] = [];
  private codeCounter = 0;

  /** Sets how `a` sees `b` (one direction: the test sets the other one too when it matters). */
  relate(a: string, b: string, state: 'accepted' | 'outgoing' | 'incoming' | 'none' | 'gone', blocked = false): void {
    this.relations.set(`${a}>${b}`, { state, blocked });
  }

  private contactEntry(viewer: string, user: User): Contact | null {
    const relation = this.relations.get(`${viewer}>${user.id}`) ?? { state: 'accepted', blocked: false };
    if (relation.state === 'gone' && !relation.blocked) return null;
    const state = relation.state === 'gone' ? 'none' : relation.state;
    // Everyone counts as online, as before requests existed, but only to an accepted contact (the server hides it otherwise).
    const online = state === 'accepted' && !relation.blocked;
    return { ...user, online, lastSeenAt: null, state, blocked: relation.blocked };
  }

  /** A fetch for `/session/cookie`: POST {code} binds the code's token to `cookieJar`, DELETE clears it. */
  readonly cookieFetch = async (_url: string, init: RequestInit): Promise<{ status: number; ok: boolean }> => {
    const method = init.method ?? 'GET';
    if (method === 'DELETE') {
      this.cookieRequests.push({ method });
      this.cookieJar = null;
      return { status: 204, ok: true };
    }
    const { code } = JSON.parse(String(init.body)) as { code: string };
    this.cookieRequests.push({ method, code });
    if (this.cookieRouteDown > 0) {
      this.cookieRouteDown--;
      throw new TypeError('Failed to fetch');
    }
    const token = this.cookieCodes.get(code);
    if (!token || !this.tokens.has(token) || this.cookieRouteRefuses) return { status: 400, ok: false };
    this.cookieCodes.delete(code);
    this.cookieJar = token;
    return { status: 204, ok: true };
  };

  /** Ends a session as another device would: its sockets are told, the token is gone. */
  revokeToken(token: string): void {
    this.tokens.delete(token);
    for (const c of this.connections) {
      if (c.token !== token) continue;
      c.socket.receive('SessionRevokedNotification', {});
      c.userId = null;
      c.token = null;
    }
  }

  /** Logins by cookie (`useCookie`) and password logins with `bindCookie`; false for every other login. */
  private cookieLogin(c: Connection, p: Record<string, unknown>, reply: (name: string, payload: object) => void): boolean {
    const info = p['userInformation'] as { useCookie?: boolean; username?: string; password?: string };
    if (info.useCookie) {
      const token = this.cookieJar;
      const user = token ? [...this.users.values()].find((u) => u.user.id === this.tokens.get(token))?.user : undefined;
      if (!token || !user) {
        reply('AccountLoginResponse', { loggedIn: false, reason: 'SESSION_EXPIRED' });
        return true;
      }
      c.userId = user.id;
      c.token = token;
      // The worst a server could do: put the token in the answer. The client must not keep it.
      reply('AccountLoginResponse', { loggedIn: true, sessionToken: token, user, expiresAt: 0 });
      return true;
    }
    if (p['bindCookie'] !== true || p['publicComputer'] === true) return false;
    const stored = (info as { sessionToken?: string }).sessionToken;
    const account = stored
      ? [...this.users.values()].find((u) => u.user.id === this.tokens.get(stored))
      : this.users.get(info.username ?? '');
    if (!account || (!stored && account.password !== info.password)) {
      reply('AccountLoginResponse', { loggedIn: false, reason: stored ? 'SESSION_EXPIRED' : 'BAD_CREDENTIALS' });
      return true;
    }
    const n = ++this.codeCounter;
    const token = stored ?? `tok-c${n}`;
    const cookieCode = `code-${n}`;
    this.tokens.set(token, account.user.id);
    this.cookieCodes.set(cookieCode, token);
    c.userId = account.user.id;
    c.token = token;
    reply('AccountLoginResponse', { loggedIn: true, cookieCode, user: account.user, expiresAt: 0 });
    return true;
  }

  /** The commands of sections 11 and 12; false for any other command. */
  private accountCommand(
    name: string,
    c: Connection,
    userId: string,
    p: Record<string, unknown>,
    reply: (name: string, payload: object) => void,
    fail: (code: ErrorCode, message: string) => void,
  ): boolean {
    const account = [...this.users.values()].find((u) => u.user.id === userId)!;
    const notifyContacts = (ids: string[]): void => {
      for (const other of this.connections) {
        if (!other.userId || !other.subscriptions.has('contacts')) continue;
        const mine = ids.filter((id) => id !== other.userId);
        if (mine.length) other.socket.receive('ResourceChangedNotification', { resource: 'contacts', version: 1, ids: mine });
      }
    };
    switch (name) {
      case 'AddContactCommand': {
        const other = this.users.get(String(p['username']))?.user;
        if (!other) {
          fail('NOT_FOUND', `no user ${String(p['username'])}`);
          return true;
        }
        const theirs = this.relations.get(`${other.id}>${userId}`);
        if (theirs?.state === 'outgoing') {
          this.relate(userId, other.id, 'accepted');
          this.relate(other.id, userId, 'accepted', theirs.blocked);
        } else {
          this.relate(userId, other.id, 'outgoing');
          // A request to someone who blocked you is dropped without telling you.
          if (!theirs?.blocked) this.relate(other.id, userId, 'incoming');
        }
        notifyContacts([userId, other.id]);
        reply('AddContactResponse', { contact: this.contactEntry(userId, other) });
        return true;
      }
      case 'UpdateProfileCommand': {
        account.user = { ...account.user, displayName: String(p['displayName']).trim() };
        for (const other of this.connections) if (other !== c && other.userId === userId) other.socket.receive('ProfileChangedNotification', { user: account.user });
        notifyContacts([userId]);
        reply('UpdateProfileResponse', { user: account.user });
        return true;
      }
      case 'ChangePasswordCommand': {
        if (p['currentPassword'] !== account.password) {
          fail('FORBIDDEN', 'the current password is wrong');
          return true;
        }
        account.password = String(p['newPassword']);
        for (const [token, owner] of [...this.tokens]) if (owner === userId && token !== c.token) this.revokeToken(token);
        reply('ChangePasswordResponse', { changed: true });
        return true;
      }
      case 'GetSessionsCommand': {
        const sessions = [...this.tokens].filter(([, owner]) => owner === userId).map(([token]) => ({
          id: `s-${token}`, current: token === c.token, publicComputer: false, createdAt: 1, lastUsedAt: 2, client: 'Chromium on Linux',
        }));
        reply('SessionsResponse', { sessions });
        return true;
      }
      case 'RevokeSessionCommand': {
        const mine = [...this.tokens].filter(([token, owner]) => owner === userId && token !== c.token).map(([token]) => token);
        const targets = p['others'] === true ? mine : mine.filter((token) => `s-${token}` === p['sessionId']);
        if (p['others'] !== true && targets.length === 0) {
          fail('NOT_FOUND', `no session ${String(p['sessionId'])}`);
          return true;
        }
        for (const token of targets) this.revokeToken(token);
        reply('RevokeSessionResponse', { revoked: true, count: targets.length });
        return true;
      }
      case 'AnswerContactRequestCommand': {
        const other = String(p['userId']);
        if (this.relations.get(`${userId}>${other}`)?.state !== 'incoming') {
          fail('NOT_FOUND', `no request from ${other}`);
          return true;
        }
        const accept = p['accept'] === true;
        this.relate(userId, other, accept ? 'accepted' : 'gone');
        this.relate(other, userId, accept ? 'accepted' : 'gone');
        notifyContacts([userId, other]);
        const user = [...this.users.values()].find((u) => u.user.id === other)!.user;
        reply('AnswerContactRequestResponse', { contact: accept ? this.contactEntry(userId, user) : null });
        return true;
      }
      case 'RemoveContactCommand': {
        const other = String(p['userId']);
        const blocked = this.relations.get(`${userId}>${other}`)?.blocked ?? false;
        this.relate(userId, other, 'gone', blocked);
        this.relate(other, userId, 'gone', this.relations.get(`${other}>${userId}`)?.blocked ?? false);
        notifyContacts([userId, other]);
        reply('RemoveContactResponse', { userId: other });
        return true;
      }
      case 'BlockUserCommand': {
        const other = String(p['userId']);
        const before = this.relations.get(`${userId}>${other}`) ?? { state: 'accepted' as const, blocked: false };
        const blocked = p['blocked'] === true;
        // A request they sent is dropped by the block.
        this.relate(userId, other, blocked && before.state === 'incoming' ? 'gone' : before.state, blocked);
        notifyContacts([userId]);
        reply('BlockUserResponse', { userId: other, blocked });
        return true;
      }
      default:
        return false;
    }
  }
}

import type { Contact, ErrorCode, User } from '../../protocol';
import type { Connection, FakeServer } from './fake-server';

type Reply = (name: string, payload: object) => void;

/**
 * The fake server's part for docs/PROTOCOL.md sections 11-13: contact
 * requests and blocks (how each user stands with another), the account
 * commands (profile, password, sessions), the cookie-bound login and a fake
 * fetch for `/session/cookie` with the device's cookie jar. FakeServer
 * hands it logins and commands first; kept apart so the protocol's other
 * additions to the fake server do not meet these.
 */
export class FakeAccounts {
  constructor(private readonly server: FakeServer) {}

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

  contactEntry(viewer: string, user: User): Contact | null {
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
    if (!token || !this.server.tokens.has(token) || this.cookieRouteRefuses) return { status: 400, ok: false };
    this.cookieCodes.delete(code);
    this.cookieJar = token;
    return { status: 204, ok: true };
  };

  /** Ends a session as another device would: its sockets are told, the token is gone. */
  revokeToken(token: string): void {
    this.server.tokens.delete(token);
    for (const c of this.server.connections) {
      if (c.token !== token) continue;
      c.socket.receive('SessionRevokedNotification', {});
      c.userId = null;
      c.token = null;
    }
  }

  /** Logins by cookie (`useCookie`) and password logins with `bindCookie`; false for every other login. */
  cookieLogin(c: Connection, p: Record<string, unknown>, reply: Reply): boolean {
    const info = p['userInformation'] as { useCookie?: boolean; username?: string; password?: string };
    if (info.useCookie) {
      const token = this.cookieJar;
      const user = token ? [...this.server.users.values()].find((u) => u.user.id === this.server.tokens.get(token))?.user : undefined;
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
      ? [...this.server.users.values()].find((u) => u.user.id === this.server.tokens.get(stored))
      : this.server.users.get(info.username ?? '');
    if (!account || (!stored && account.password !== info.password)) {
      reply('AccountLoginResponse', { loggedIn: false, reason: stored ? 'SESSION_EXPIRED' : 'BAD_CREDENTIALS' });
      return true;
    }
    const n = ++this.codeCounter;
    const token = stored ?? `tok-c${n}`;
    const cookieCode = `code-${n}`;
    this.server.tokens.set(token, account.user.id);
    this.cookieCodes.set(cookieCode, token);
    c.userId = account.user.id;
    c.token = token;
    reply('AccountLoginResponse', { loggedIn: true, cookieCode, user: account.user, expiresAt: 0 });
    return true;
  }

  /** The commands of sections 11 and 12; false for any other command. */
  command(
    name: string,
    c: Connection,
    userId: string,
    p: Record<string, unknown>,
    reply: Reply,
    fail: (code: ErrorCode, message: string) => void,
  ): boolean {
    const account = [...this.server.users.values()].find((u) => u.user.id === userId)!;
    const notifyContacts = (ids: string[]): void => {
      for (const other of this.server.connections) {
        if (!other.userId || !other.subscriptions.has('contacts')) continue;
        const mine = ids.filter((id) => id !== other.userId);
        if (mine.length) other.socket.receive('ResourceChangedNotification', { resource: 'contacts', version: 1, ids: mine });
      }
    };
    switch (name) {
      case 'AddContactCommand': {
        const other = this.server.users.get(String(p['username']))?.user;
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
        for (const other of this.server.connections) if (other !== c && other.userId === userId) other.socket.receive('ProfileChangedNotification', { user: account.user });
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
        for (const [token, owner] of [...this.server.tokens]) if (owner === userId && token !== c.token) this.revokeToken(token);
        reply('ChangePasswordResponse', { changed: true });
        return true;
      }
      case 'GetSessionsCommand': {
        const sessions = [...this.server.tokens].filter(([, owner]) => owner === userId).map(([token]) => ({
          id: `s-${token}`, current: token === c.token, publicComputer: false, createdAt: 1, lastUsedAt: 2, client: 'Chromium on Linux',
        }));
        reply('SessionsResponse', { sessions });
        return true;
      }
      case 'RevokeSessionCommand': {
        const mine = [...this.server.tokens].filter(([token, owner]) => owner === userId && token !== c.token).map(([token]) => token);
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
        const user = [...this.server.users.values()].find((u) => u.user.id === other)!.user;
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

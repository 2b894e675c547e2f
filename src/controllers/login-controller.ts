import type { Communicator } from '../communicator/communicator';
import { ConnectionError } from '../communicator/connection-error';
import type { SessionCookie } from '../communicator/session-cookie';
import type { Dispatch } from '../dispatch/dispatch';
import type { LoginFailureReason, ServerMessages, User } from '../protocol';
import { canResume, type SessionRecord } from '../store/records';
import type { Store } from '../store/store';
import { CookieBinding } from './cookie-binding';

/** Why a session ended, for the login form's message. */
export type SessionEndReason = 'logout' | 'revoked' | 'expired' | 'idle';

/** The events of the session's life. */
declare module '../dispatch/bus-events' {
  interface BusEvents {
    /** The server accepted the registration: commands may follow. */
    'client:registered': { clientId: string };
    'session:ready': { user: User; publicComputer: boolean };
    'session:ended': { reason: SessionEndReason };
    /**
     * `retryAfterMs`: with THROTTLED, how long the server said to wait.
     * `NOT_KEPT`: the login worked but the browser could not be given the
     * session cookie in time, so the password is asked again.
     */
    'login:failed': { reason: LoginFailureReason | 'UNREACHABLE' | 'NOT_KEPT'; retryAfterMs?: number };
  }
}

/** What the views may ask of the session. */
export interface LoginActions {
  login(input: { username: string; password: string; publicComputer: boolean }): void;
  /** Creates the account, then logs in with it (trusted mode unless publicComputer). */
  signup(input: { username: string; password: string; displayName?: string; publicComputer: boolean }): Promise<void>;
  /** Revokes the token and wipes the device; `reason` (default 'logout') is announced in `session:ended`. */
  logout(reason?: Extract<SessionEndReason, 'logout' | 'idle' | 'revoked'>): Promise<void>;
  /** The signed-in user, or null. */
  currentUser(): User | null;
  isPublicComputer(): boolean;
  /** True when a stored session exists, so the app shows the chat (from the cache) instead of the login form. */
  hasStoredSession(): boolean;
}

export interface LoginControllerOptions {
  dispatch: Dispatch;
  communicator: Communicator;
  store: Store;
  clientVersion: string;
  /** How long logout waits for the server's answer before wiping anyway. */
  logoutTimeoutMs?: number;
  /** How long signup waits for the socket to be registered. */
  registrationTimeoutMs?: number;
  /**
   * The HttpOnly session cookie (a browser page): trusted logins then ask for
   * a cookie code, bind it, and keep no token. Without it (tests, programs)
   * the token is kept in the session record as before.
   */
  sessionCookie?: SessionCookie | null;
  /** How long a cookie code is good for (the server's cookieCodeTtlMs), for tests. */
  cookieCodeValidMs?: number;
}

/**
 * A password login answered THROTTLED with a wait this short (the server's
 * password checks were all busy, or the first short wait after a few wrong
 * passwords) is sent again by itself after that wait, up to AUTO_RETRIES
 * times: the person sees the form busy a moment instead of an error.
 */
const AUTO_RETRY_MAX_MS = 5000;
const AUTO_RETRIES = 3;

interface PasswordLogin {
  username: string;
  password: string;
  publicComputer: boolean;
}

/**
 * Registration, then login by password or by the stored token, as a chain of
 * bus events (the LoginController of the original Comoyo design). Every time the socket opens it
 * registers and resumes the session with the token, and announces
 * `session:ready`; it also ends sessions (logout, revocation, expiry).
 */
export class LoginController implements LoginActions {
  private readonly options: LoginControllerOptions;
  private registered = false;
  private ready = false;
  private clientId: string | undefined;
  private pendingPassword: PasswordLogin | null = null;
  private inFlight: 'password' | 'token' | 'cookie' | null = null;
  private readonly binding: CookieBinding | null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retries = 0;
  private readonly stops: (() => void)[] = [];

  constructor(options: LoginControllerOptions) {
    this.options = options;
    const { dispatch } = options;
    this.binding = options.sessionCookie
      ? new CookieBinding({ cookie: options.sessionCookie, ...(options.cookieCodeValidMs ? { validForMs: options.cookieCodeValidMs } : {}) })
      : null;
    this.stops.push(
      dispatch.subscribe('connection:open', () => this.sendClientRegistrationCommand()),
      dispatch.subscribe('connection:close', () => this.onDisconnected()),
      dispatch.subscribe('connection:state', (status) => this.onConnectionState(status.state)),
      dispatch.subscribe('ClientRegistrationResponse', (p) => this.handleClientRegistrationResponse(p)),
      dispatch.subscribe('AccountLoginResponse', (p) => void this.handleAccountLoginResponse(p)),
      dispatch.subscribe('SessionRevokedNotification', () => void this.endSession('revoked')),
    );
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
    this.cancelRetry();
    this.binding?.cancel();
  }

  isReady(): boolean {
    return this.ready;
  }

  login(input: PasswordLogin): void {
    this.cancelRetry();
    this.retries = 0;
    this.pendingPassword = { ...input };
    if (this.registered) this.sendLogin();
    else this.options.communicator.reconnectNow();
  }

  async signup(input: { username: string; password: string; displayName?: string; publicComputer: boolean }): Promise<void> {
    // After the server's login deadline the socket is closed until there is something to send (Communicator.handleClose).
    if (!this.registered) this.options.communicator.reconnectNow();
    await this.whenRegistered();
    const userInformation: { username: string; password: string; displayName?: string } = { username: input.username, password: input.password };
    if (input.displayName) userInformation.displayName = input.displayName;
    await this.options.communicator.request('AccountCreateCommand', { userInformation });
    this.login({ username: input.username, password: input.password, publicComputer: input.publicComputer });
  }

  /** `reason` is what the login form tells: 'idle' (public-computer timeout) or 'revoked' (another tab logged out). */
  async logout(reason: 'logout' | 'idle' | 'revoked' = 'logout'): Promise<void> {
    if (this.ready) {
      try {
        await this.options.communicator.request('AccountLogoutCommand', {}, this.options.logoutTimeoutMs ?? 3000);
      } catch {
        // Offline or slow: the local data goes anyway; the token dies with its expiry.
      }
    }
    await this.endSession(reason);
  }

  currentUser(): User | null {
    return this.session()?.user ?? null;
  }

  isPublicComputer(): boolean {
    return this.session()?.publicComputer ?? false;
  }

  hasStoredSession(): boolean {
    return canResume(this.session());
  }

  private session(): SessionRecord | undefined {
    return this.options.store.find('session', 'current');
  }

  private sendClientRegistrationCommand(): void {
    const clientInformation: { clientMedium: string; clientVersion: string; clientId?: string } = {
      clientMedium: 'web',
      clientVersion: this.options.clientVersion,
    };
    if (this.clientId) clientInformation.clientId = this.clientId;
    this.options.communicator.sendMessage('ClientRegistrationCommand', { clientInformation });
  }

  private handleClientRegistrationResponse(response: ServerMessages['ClientRegistrationResponse']): void {
    this.registered = true;
    this.clientId = response.clientId;
    this.options.dispatch.emit('client:registered', { clientId: response.clientId });
    this.sendLogin();
  }

  /**
   * A password the person just typed wins over the stored session. A trusted
   * browser login asks for a cookie code (bindCookie) instead of a token; a
   * session bound to the cookie resumes with `useCookie` (the browser sent
   * the cookie with the socket's upgrade); a token is sent by a
   * public-computer session (memory), a client without the cookie, and once
   * by a trusted browser that stored one before the cookie existed.
   */
  private sendLogin(): void {
    const { communicator } = this.options;
    if (this.pendingPassword) {
      const { username, password, publicComputer } = this.pendingPassword;
      this.inFlight = 'password';
      const bindCookie = this.binding !== null && !publicComputer;
      communicator.sendMessage('AccountLoginCommand', { userInformation: { username, password }, publicComputer, ...(bindCookie ? { bindCookie: true } : {}) });
      return;
    }
    const session = this.session();
    if (!session) return;
    if (session.cookieBound && this.binding) {
      this.inFlight = 'cookie';
      communicator.sendMessage('AccountLoginCommand', { userInformation: { useCookie: true }, publicComputer: false });
      return;
    }
    if (!session.sessionToken) return;
    this.inFlight = 'token';
    // A trusted token stored before this browser kept sessions in the cookie is traded for a
    // cookie code (bindCookie): the answer carries no token, and the record drops the stored one.
    const bindCookie = this.binding !== null && !session.publicComputer;
    communicator.sendMessage('AccountLoginCommand', {
      userInformation: { sessionToken: session.sessionToken },
      publicComputer: session.publicComputer,
      ...(bindCookie ? { bindCookie: true } : {}),
    });
  }

  private async handleAccountLoginResponse(response: ServerMessages['AccountLoginResponse']): Promise<void> {
    const kind = this.inFlight;
    this.inFlight = null;
    if (kind === null) return;
    const { dispatch, store } = this.options;
    if (response.loggedIn) {
      const publicComputer = kind === 'password' ? this.pendingPassword!.publicComputer : (this.session()?.publicComputer ?? false);
      this.pendingPassword = null;
      this.binding?.cancel();
      await store.useAccount(response.user, publicComputer);
      const code = 'cookieCode' in response ? response.cookieCode : null;
      // A session resumed by cookie never keeps a token, even one a server put in the answer.
      const token = kind !== 'cookie' && 'sessionToken' in response ? response.sessionToken : null;
      store.addItems('session', {
        current: { id: 'current', user: response.user, sessionToken: token, cookieBound: kind === 'cookie', publicComputer, expiresAt: response.expiresAt },
      });
      this.ready = true;
      dispatch.emit('session:ready', { user: response.user, publicComputer });
      if (code !== null) void this.bindCookie(code);
      return;
    }
    if (kind === 'password') {
      const wait = response.retryAfterMs;
      if (response.reason === 'THROTTLED' && wait !== undefined && wait <= AUTO_RETRY_MAX_MS && this.retries < AUTO_RETRIES) {
        this.retries++;
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          if (this.registered && this.pendingPassword) this.sendLogin();
        }, wait);
        return;
      }
      this.pendingPassword = null;
      dispatch.emit('login:failed', failure(response.reason, wait));
      return;
    }
    if (response.reason === 'THROTTLED') {
      dispatch.emit('login:failed', failure('THROTTLED', response.retryAfterMs));
      return;
    }
    // The stored token (or the cookie) is no good any more: a dead cookie is cleared too.
    if (kind === 'cookie') void this.options.sessionCookie?.clear();
    this.expireStoredSession('SESSION_EXPIRED');
  }

  /**
   * The stored session cannot be resumed any more. Keep the cache and the
   * outbox: the same person logging in again gets them back and the outbox
   * flushes. The login form asks for the password.
   */
  private expireStoredSession(reason: 'SESSION_EXPIRED' | 'NOT_KEPT'): void {
    const { dispatch, store } = this.options;
    this.ready = false;
    const session = this.session();
    if (session) store.addItems('session', { current: { ...session, sessionToken: null, cookieBound: false } });
    dispatch.emit('session:ended', { reason: session?.publicComputer ? 'idle' : 'expired' });
    dispatch.emit('login:failed', { reason });
  }

  /**
   * Sends the login's cookie code (again, while it is valid and the server
   * cannot be reached). Bound: the record says so, and a socket that
   * reconnected meanwhile logs in with the cookie. Not bound in time: this
   * session could never be resumed, so it is logged out on the server
   * (best effort) and the password is asked again, keeping everything stored.
   */
  private async bindCookie(code: string): Promise<void> {
    const outcome = await this.binding!.bind(code);
    const session = this.session();
    if (outcome === 'cancelled' || !session) return;
    if (outcome === 'bound') {
      this.options.store.addItems('session', { current: { ...session, cookieBound: true } });
      if (this.registered && !this.ready && this.inFlight === null) this.sendLogin();
      return;
    }
    if (this.ready) {
      try {
        await this.options.communicator.request('AccountLogoutCommand', {}, this.options.logoutTimeoutMs ?? 3000);
      } catch {
        // Unreachable: the orphaned session dies with its expiry; nothing on the device can resume it.
      }
    }
    this.expireStoredSession('NOT_KEPT');
  }

  private async endSession(reason: 'logout' | 'revoked' | 'idle'): Promise<void> {
    const session = this.session();
    this.ready = false;
    this.cancelRetry();
    this.pendingPassword = null;
    this.inFlight = null;
    // A cookie being bound, or bound: script cannot remove an HttpOnly cookie, the server can (best effort; it revoked the session anyway).
    const hadCookie = this.binding?.isBinding() || session?.cookieBound === true;
    this.binding?.cancel();
    if (hadCookie) void this.options.sessionCookie?.clear();
    await this.options.store.wipe();
    this.options.dispatch.emit('session:ended', { reason });
  }

  private onDisconnected(): void {
    this.registered = false;
    this.ready = false;
    this.inFlight = null;
    // A password still pending goes out after the next registration anyway.
    this.cancelRetry();
  }

  private cancelRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** A login typed while the server cannot be reached fails visibly instead of hanging. */
  private onConnectionState(state: string): void {
    if (state === 'offline' && this.pendingPassword && !this.registered) {
      this.pendingPassword = null;
      this.options.dispatch.emit('login:failed', { reason: 'UNREACHABLE' });
    }
  }

  private whenRegistered(): Promise<void> {
    if (this.registered) return Promise.resolve();
    const timeoutMs = this.options.registrationTimeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const { dispatch } = this.options;
      const done = (): void => {
        clearTimeout(timer);
        dispatch.off('client:registered', done);
        resolve();
      };
      const timer = setTimeout(() => {
        dispatch.off('client:registered', done);
        reject(new ConnectionError('OFFLINE', 'the server cannot be reached'));
      }, timeoutMs);
      dispatch.on('client:registered', done);
    });
  }
}

function failure(reason: LoginFailureReason, retryAfterMs: number | undefined): { reason: LoginFailureReason; retryAfterMs?: number } {
  return retryAfterMs === undefined ? { reason } : { reason, retryAfterMs };
}

import type { Communicator } from '../communicator/communicator';
import { ConnectionError } from '../communicator/connection-error';
import type { Dispatch } from '../dispatch/dispatch';
import type { LoginFailureReason, ServerMessages, User } from '../protocol';
import type { SessionRecord } from '../store/records';
import type { Store } from '../store/store';

/** Why a session ended, for the login form's message. */
export type SessionEndReason = 'logout' | 'revoked' | 'expired' | 'idle';

/** The events of the session's life. */
declare module '../dispatch/bus-events' {
  interface BusEvents {
    /** The server accepted the registration: commands may follow. */
    'client:registered': { clientId: string };
    'session:ready': { user: User; publicComputer: boolean };
    'session:ended': { reason: SessionEndReason };
    /** `retryAfterMs`: with THROTTLED, how long the server said to wait. */
    'login:failed': { reason: LoginFailureReason | 'UNREACHABLE'; retryAfterMs?: number };
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
  private inFlight: 'password' | 'token' | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retries = 0;
  private readonly stops: (() => void)[] = [];

  constructor(options: LoginControllerOptions) {
    this.options = options;
    const { dispatch } = options;
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
    return Boolean(this.session()?.sessionToken);
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

  /** A password the person just typed wins over the stored token. */
  private sendLogin(): void {
    const { communicator } = this.options;
    if (this.pendingPassword) {
      const { username, password, publicComputer } = this.pendingPassword;
      this.inFlight = 'password';
      communicator.sendMessage('AccountLoginCommand', { userInformation: { username, password }, publicComputer });
      return;
    }
    const session = this.session();
    if (session?.sessionToken) {
      this.inFlight = 'token';
      communicator.sendMessage('AccountLoginCommand', { userInformation: { sessionToken: session.sessionToken }, publicComputer: session.publicComputer });
    }
  }

  private async handleAccountLoginResponse(response: ServerMessages['AccountLoginResponse']): Promise<void> {
    const kind = this.inFlight;
    this.inFlight = null;
    if (kind === null) return;
    const { dispatch, store } = this.options;
    // This client never asks for a cookie code (bindCookie), so a login it sent answers a token.
    if (response.loggedIn && !('sessionToken' in response)) return;
    if (response.loggedIn) {
      const publicComputer = kind === 'password' ? this.pendingPassword!.publicComputer : (this.session()?.publicComputer ?? false);
      this.pendingPassword = null;
      await store.useAccount(response.user, publicComputer);
      store.addItems('session', {
        current: { id: 'current', user: response.user, sessionToken: response.sessionToken, publicComputer, expiresAt: response.expiresAt },
      });
      this.ready = true;
      dispatch.emit('session:ready', { user: response.user, publicComputer });
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
    // The stored token is no good any more. Keep the cache and the outbox:
    // the same person logging in again gets them back and the outbox flushes.
    const session = this.session();
    if (session) store.addItems('session', { current: { ...session, sessionToken: null } });
    dispatch.emit('session:ended', { reason: session?.publicComputer ? 'idle' : 'expired' });
    dispatch.emit('login:failed', { reason: 'SESSION_EXPIRED' });
  }

  private async endSession(reason: 'logout' | 'revoked' | 'idle'): Promise<void> {
    this.ready = false;
    this.cancelRetry();
    this.pendingPassword = null;
    this.inFlight = null;
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

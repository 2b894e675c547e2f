import type { Communicator } from '../communicator/communicator';
import type { Dispatch } from '../dispatch/dispatch';
import { ProtocolError, type SessionInfo, type User } from '../protocol';
import type { Store } from '../store/store';

/** What the settings view may ask of the account (docs/PROTOCOL.md, "Account and sessions"). */
export interface AccountActions {
  /** Changes the display name; every contact sees it through their contacts resource. */
  updateDisplayName(displayName: string): Promise<User>;
  /** Rejects FORBIDDEN for a wrong current password, RATE_LIMITED while throttled; signs out every other session. */
  changePassword(currentPassword: string, newPassword: string): Promise<void>;
  /** Every live session of the account, this one marked `current`, most recently used first. */
  sessions(): Promise<SessionInfo[]>;
  /** Ends one other session (its tabs fall back to the login form); the current one is ended with `session.logout()`. */
  revokeSession(sessionId: string): Promise<void>;
  /** Ends every session but this one; resolves to how many ended. */
  revokeOtherSessions(): Promise<number>;
}

export interface AccountControllerOptions {
  dispatch: Dispatch;
  communicator: Communicator;
  store: Store;
}

/**
 * The account's own settings: the display name, the password, the list of
 * sessions. A new name goes into the stored session record, here at the
 * answer and in the user's other tabs and devices at their
 * `ProfileChangedNotification`, so every header shows it at once.
 */
export class AccountController implements AccountActions {
  private readonly stops: (() => void)[] = [];

  constructor(private readonly options: AccountControllerOptions) {
    this.stops.push(options.dispatch.subscribe('ProfileChangedNotification', ({ user }) => this.storeUser(user)));
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  async updateDisplayName(displayName: string): Promise<User> {
    const { user } = await this.options.communicator.request('UpdateProfileCommand', { displayName });
    this.storeUser(user);
    return user;
  }

  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    await this.options.communicator.request('ChangePasswordCommand', { currentPassword, newPassword });
  }

  async sessions(): Promise<SessionInfo[]> {
    const { sessions } = await this.options.communicator.request('GetSessionsCommand', {});
    return [...sessions].sort((a, b) => Number(b.current) - Number(a.current) || b.lastUsedAt - a.lastUsedAt);
  }

  async revokeSession(sessionId: string): Promise<void> {
    await this.options.communicator.request('RevokeSessionCommand', { sessionId });
  }

  async revokeOtherSessions(): Promise<number> {
    const { count } = await this.options.communicator.request('RevokeSessionCommand', { others: true });
    return count;
  }

  /** The signed-in user's new profile, kept in the session record (only this account's: a stale notification for another is ignored). */
  private storeUser(user: User): void {
    const { store } = this.options;
    const session = store.find('session', 'current');
    if (!session || session.user.id !== user.id) return;
    store.addItems('session', { current: { ...session, user } });
  }
}

/** Whether a refusal means the current password was wrong (FORBIDDEN) or tried too often (RATE_LIMITED), for the form's words. */
export function passwordChangeRefusal(error: unknown): 'wrong-password' | 'throttled' | 'invalid' | 'other' {
  if (!(error instanceof ProtocolError)) return 'other';
  if (error.code === 'FORBIDDEN') return 'wrong-password';
  if (error.code === 'RATE_LIMITED') return 'throttled';
  if (error.code === 'INVALID_PAYLOAD') return 'invalid';
  return 'other';
}

import type { ServerLimits } from '../config';
import type { SessionRow, SessionsRepo } from '../storage/sessions-repo';
import type { Peer } from '../hub/peer';
import { hashToken, newSessionToken } from './tokens';

/** A session in memory, with the sockets logged in through it. */
export interface LiveSession extends SessionRow {
  peers: Set<Peer>;
  /** lastUsedAt as last written to the database (writes are batched, see touch). */
  persistedAt: number;
}

type Limits = Pick<ServerLimits, 'publicSessionIdleMs' | 'publicSessionMaxMs' | 'trustedSessionMs' | 'sessionsPerUser'>;

/**
 * Session lifetimes. Public-computer sessions expire after `publicSessionIdleMs`
 * without traffic and never outlive `publicSessionMaxMs` from login; trusted
 * sessions expire `trustedSessionMs` after last use. Traffic moves lastUsedAt
 * in memory at once and in the database at most every tenth of the idle
 * window, so a busy socket does not write on every command. A user keeps at
 * most `sessionsPerUser` sessions: each login beyond it ends the least
 * recently used, so repeated logins cannot fill the disk with sessions.
 */
export class SessionRegistry {
  private readonly live = new Map<string, LiveSession>();

  constructor(
    private readonly repo: SessionsRepo,
    private readonly limits: Limits,
    private readonly now: () => number = Date.now,
  ) {}

  expiresAt(s: SessionRow): number {
    if (s.publicComputer) {
      return Math.min(s.lastUsedAt + this.limits.publicSessionIdleMs, s.createdAt + this.limits.publicSessionMaxMs);
    }
    return s.lastUsedAt + this.limits.trustedSessionMs;
  }

  isExpired(s: SessionRow): boolean {
    return this.now() >= this.expiresAt(s);
  }

  /** A new session; `ended` are the user's sessions it pushed past the cap that were in use (the caller revokes them, telling their sockets). */
  create(userId: string, publicComputer: boolean): { token: string; session: LiveSession; ended: LiveSession[] } {
    const token = newSessionToken();
    const now = this.now();
    const row: SessionRow = { tokenHash: hashToken(token), userId, publicComputer, createdAt: now, lastUsedAt: now };
    this.repo.insert(row);
    const session: LiveSession = { ...row, peers: new Set(), persistedAt: now };
    this.live.set(row.tokenHash, session);
    const ended: LiveSession[] = [];
    for (const tokenHash of this.repo.beyondNewest(userId, this.limits.sessionsPerUser)) {
      const old = this.live.get(tokenHash);
      if (old) ended.push(old);
      else this.repo.delete(tokenHash);
    }
    return { token, session, ended };
  }

  /** The session of a token, touched; 'expired' when unknown, revoked or past its expiry (then deleted). */
  resume(token: string): LiveSession | 'expired' {
    const tokenHash = hashToken(token);
    let session = this.live.get(tokenHash);
    if (!session) {
      const row = this.repo.find(tokenHash);
      if (!row) return 'expired';
      session = { ...row, peers: new Set(), persistedAt: row.lastUsedAt };
    }
    if (this.isExpired(session)) {
      this.forget(session);
      return 'expired';
    }
    this.live.set(tokenHash, session);
    this.touch(session);
    return session;
  }

  /** Records traffic on a session. */
  touch(session: LiveSession): void {
    const now = this.now();
    session.lastUsedAt = now;
    const idle = session.publicComputer ? this.limits.publicSessionIdleMs : this.limits.trustedSessionMs;
    if (now - session.persistedAt >= Math.min(60_000, idle / 10)) {
      this.repo.touch(session.tokenHash, now);
      session.persistedAt = now;
    }
  }

  /** Deletes the session at once; returns the sockets that were using it. */
  revoke(session: LiveSession): Peer[] {
    const peers = [...session.peers];
    this.forget(session);
    return peers;
  }

  /** Drops a session from memory when its last socket goes (it stays in the database). */
  release(session: LiveSession, peer: Peer): void {
    session.peers.delete(peer);
    if (session.peers.size === 0 && this.live.get(session.tokenHash) === session) {
      if (session.lastUsedAt !== session.persistedAt) this.repo.touch(session.tokenHash, session.lastUsedAt);
      this.live.delete(session.tokenHash);
    }
  }

  /** Live sessions past their expiry (the sweeper revokes them). */
  expired(): LiveSession[] {
    return [...this.live.values()].filter((s) => this.isExpired(s));
  }

  clear(): void {
    this.live.clear();
  }

  private forget(session: LiveSession): void {
    this.live.delete(session.tokenHash);
    session.peers.clear();
    this.repo.delete(session.tokenHash);
  }
}

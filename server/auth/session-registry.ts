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

type Limits = Pick<ServerLimits, 'publicSessionIdleMs' | 'publicSessionMaxMs' | 'trustedSessionMs' | 'trustedSessionMaxMs' | 'sessionsPerUser'>;

/**
 * Session lifetimes. Public-computer sessions expire after `publicSessionIdleMs`
 * without traffic and never outlive `publicSessionMaxMs` from login; trusted
 * sessions expire `trustedSessionMs` after last use and never outlive
 * `trustedSessionMaxMs` from login (so a stolen token, or cookie, that is
 * kept in use still dies). Traffic moves lastUsedAt
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
    return Math.min(s.lastUsedAt + this.limits.trustedSessionMs, s.createdAt + this.limits.trustedSessionMaxMs);
  }

  isExpired(s: SessionRow): boolean {
    return this.now() >= this.expiresAt(s);
  }

  /** A new session; `ended` are the user's sessions it pushed past the cap that were in use (the caller revokes them, telling their sockets). */
  create(userId: string, publicComputer: boolean, client = ''): { token: string; session: LiveSession; ended: LiveSession[] } {
    const token = newSessionToken();
    const now = this.now();
    const row = this.repo.insert({ tokenHash: hashToken(token), userId, publicComputer, createdAt: now, lastUsedAt: now, client });
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

  /** The unexpired session of a token, neither touched nor kept in memory (the cookie route checks a session is still there). */
  peek(token: string): SessionRow | undefined {
    const tokenHash = hashToken(token);
    const row = this.live.get(tokenHash) ?? this.repo.find(tokenHash);
    return row && !this.isExpired(row) ? row : undefined;
  }

  /** A user's unexpired sessions, most recently used first (lastUsedAt as in memory for those in use). */
  listFor(userId: string): SessionRow[] {
    return this.repo
      .listByUser(userId)
      .map((row) => this.live.get(row.tokenHash) ?? row)
      .filter((row) => !this.isExpired(row))
      .sort((a, b) => b.lastUsedAt - a.lastUsedAt);
  }

  /** The user's unexpired session with this id; undefined for an id that is unknown, expired or someone else's. */
  findOwned(userId: string, id: string): SessionRow | undefined {
    const row = this.repo.findById(id);
    if (!row || row.userId !== userId) return undefined;
    const current = this.live.get(row.tokenHash) ?? row;
    return this.isExpired(current) ? undefined : current;
  }

  /** The session in memory for a row, if sockets use it. */
  liveOf(row: SessionRow): LiveSession | undefined {
    return this.live.get(row.tokenHash);
  }

  /** Deletes a session that no socket uses (one in use is revoked through `revoke`, which tells its sockets). */
  deleteUnused(row: SessionRow): void {
    if (!this.live.has(row.tokenHash)) this.repo.delete(row.tokenHash);
  }

  /** The session of a token (in memory or stored), expired or not; undefined when there is none. */
  findByToken(token: string): SessionRow | undefined {
    const tokenHash = hashToken(token);
    return this.live.get(tokenHash) ?? this.repo.find(tokenHash);
  }

  /**
   * Deletes every session of the user but `keep` at once. Returns those that
   * sockets use (the caller revokes them, telling the sockets) and how many
   * sessions ended in all.
   */
  endOthers(userId: string, keep: SessionRow): { live: LiveSession[]; count: number } {
    const live = [...this.live.values()].filter((s) => s.userId === userId && s.tokenHash !== keep.tokenHash);
    const count = this.repo.deleteOthers(userId, keep.tokenHash);
    return { live, count };
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

import type { Contact } from '../../src/protocol/index';
import type { ContactEntryRow } from '../storage/contacts-repo';
import type { Storage } from '../storage/storage';
import { contactsKey, type Hub } from './hub';
import type { Peer } from './peer';
import type { ResourceVersions } from './versions';

/**
 * Who is online: a user with at least one logged-in socket, or whose last
 * one closed less than `offlineGraceMs` ago. When a user comes online or
 * goes offline (then lastSeenAt is stamped with the moment the last socket
 * closed), the `contacts` resource of each accepted contact that may see
 * it (no block either way) changes and carries the new entry; nobody else
 * learns of it. The grace is what bounds that fan-out: a socket
 * back within it (a reload, a reconnect) notifies nobody, so a user whose
 * sockets flap makes at most two notifications per grace, not two per flap.
 */
export class Presence {
  private readonly peersByUser = new Map<string, Set<Peer>>();
  /** Users in their grace: since when their last socket closed, and the timer that takes them offline. */
  private readonly leaving = new Map<string, { since: number; timer: NodeJS.Timeout }>();

  constructor(
    private readonly storage: Storage,
    private readonly hub: Hub,
    private readonly versions: ResourceVersions,
    private readonly now: () => number = Date.now,
    private readonly offlineGraceMs = 0,
  ) {}

  isOnline(userId: string): boolean {
    return this.peersByUser.has(userId) || this.leaving.has(userId);
  }

  /** Logged-in sockets of a user. */
  peersOf(userId: string): ReadonlySet<Peer> {
    return this.peersByUser.get(userId) ?? new Set();
  }

  /** Users with at least one logged-in socket (those in their grace not counted). */
  get onlineUsers(): number {
    return this.peersByUser.size;
  }

  attach(peer: Peer, userId: string): void {
    let set = this.peersByUser.get(userId);
    const cameOnline = !set && !this.leaving.has(userId);
    this.endGrace(userId);
    if (!set) this.peersByUser.set(userId, (set = new Set()));
    set.add(peer);
    if (cameOnline) this.announce(userId);
  }

  detach(peer: Peer, userId: string): void {
    const set = this.peersByUser.get(userId);
    if (!set || !set.delete(peer)) return;
    if (set.size > 0) return;
    this.peersByUser.delete(userId);
    const since = this.now();
    if (this.offlineGraceMs <= 0) {
      this.goOffline(userId, since);
      return;
    }
    const timer = setTimeout(() => {
      this.leaving.delete(userId);
      // Shutdown may have closed the database in between; stop() stamps those left.
      if (this.storage.db.open) this.goOffline(userId, since);
    }, this.offlineGraceMs);
    timer.unref();
    this.leaving.set(userId, { since, timer });
  }

  /** Ends every grace at once (shutdown): their lastSeenAt is stamped, nobody is notified. */
  stop(): void {
    for (const [userId, { since }] of [...this.leaving]) {
      this.endGrace(userId);
      this.stampLastSeen(userId, since);
    }
  }

  /**
   * A contacts-list entry as its owner sees it. Presence shows only when the
   * row says so (accepted, no block either way): otherwise `online` is false
   * and `lastSeenAt` null, whatever the truth.
   */
  entryOf(row: ContactEntryRow): Contact {
    const visible = row.presenceVisible;
    return {
      id: row.id,
      username: row.username,
      displayName: row.displayName,
      online: visible && this.isOnline(row.id),
      lastSeenAt: visible ? row.lastSeenAt : null,
      state: row.state,
      blocked: row.blocked,
    };
  }

  private endGrace(userId: string): void {
    const leaving = this.leaving.get(userId);
    if (!leaving) return;
    clearTimeout(leaving.timer);
    this.leaving.delete(userId);
  }

  private goOffline(userId: string, since: number): void {
    this.stampLastSeen(userId, since);
    this.announce(userId);
  }

  private stampLastSeen(userId: string, at: number): void {
    try {
      this.storage.users.setLastSeen(userId, at);
    } catch {
      // The database cannot be written (disk full): keep the previous
      // last-seen time rather than throw from a socket's close handler (or
      // a timer), which would bring the whole server down. Going offline
      // still shows.
    }
  }

  private announce(userId: string): void {
    const row = this.storage.users.findById(userId);
    if (!row) return;
    const keys = this.storage.contacts.presenceWatchers(userId).map(contactsKey);
    if (keys.length === 0) return;
    const version = this.versions.bump(keys);
    // Every watcher sees the same entry: accepted, not blocked by them (else they would not watch).
    const entry = this.entryOf({ ...row, state: 'accepted', blocked: false, presenceVisible: true });
    this.hub.notifyChanged(keys, { resource: 'contacts', version, ids: [userId], items: { [userId]: entry } });
  }
}

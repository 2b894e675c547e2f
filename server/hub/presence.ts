import type { Contact } from '../../src/protocol/index';
import type { Storage } from '../storage/storage';
import { contactsKey, type Hub } from './hub';
import type { Peer } from './peer';
import type { ResourceVersions } from './versions';

/**
 * Who is online: a user with at least one logged-in socket. When a user
 * comes online or goes offline (then lastSeenAt is stamped), the `contacts`
 * resource of each of their contacts changes and carries the new entry.
 */
export class Presence {
  private readonly peersByUser = new Map<string, Set<Peer>>();

  constructor(
    private readonly storage: Storage,
    private readonly hub: Hub,
    private readonly versions: ResourceVersions,
    private readonly now: () => number = Date.now,
  ) {}

  isOnline(userId: string): boolean {
    return this.peersByUser.has(userId);
  }

  /** Logged-in sockets of a user. */
  peersOf(userId: string): ReadonlySet<Peer> {
    return this.peersByUser.get(userId) ?? new Set();
  }

  get onlineUsers(): number {
    return this.peersByUser.size;
  }

  attach(peer: Peer, userId: string): void {
    let set = this.peersByUser.get(userId);
    const cameOnline = !set;
    if (!set) this.peersByUser.set(userId, (set = new Set()));
    set.add(peer);
    if (cameOnline) this.announce(userId);
  }

  detach(peer: Peer, userId: string): void {
    const set = this.peersByUser.get(userId);
    if (!set || !set.delete(peer)) return;
    if (set.size > 0) return;
    this.peersByUser.delete(userId);
    try {
      this.storage.users.setLastSeen(userId, this.now());
    } catch {
      // The database cannot be written (disk full): keep the previous
      // last-seen time rather than throw from a socket's close handler,
      // which would bring the whole server down. Going offline still shows.
    }
    this.announce(userId);
  }

  clear(): void {
    this.peersByUser.clear();
  }

  /** The contact entry of a user as anyone sees it. */
  contactOf(row: { id: string; username: string; displayName: string; lastSeenAt: number | null }): Contact {
    return { id: row.id, username: row.username, displayName: row.displayName, online: this.isOnline(row.id), lastSeenAt: row.lastSeenAt };
  }

  private announce(userId: string): void {
    const row = this.storage.users.findById(userId);
    if (!row) return;
    const keys = this.storage.contacts.contactIds(userId).map(contactsKey);
    if (keys.length === 0) return;
    const version = this.versions.bump(keys);
    this.hub.notifyChanged(keys, { resource: 'contacts', version, ids: [userId], items: { [userId]: this.contactOf(row) } });
  }
}

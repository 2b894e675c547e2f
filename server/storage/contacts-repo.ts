import type { ContactState } from '../../src/protocol/index';
import type { Db } from './database';

export interface ContactRow {
  id: string;
  username: string;
  displayName: string;
  lastSeenAt: number | null;
}

/**
 * One entry of a user's contacts list as the repository sees it: the other
 * user, where the two stand, whether the owner blocked them, and whether
 * presence shows (accepted, and no block either way).
 */
export interface ContactEntryRow extends ContactRow {
  state: ContactState;
  blocked: boolean;
  presenceVisible: boolean;
}

const USER_COLUMNS = 'u.id, u.username, u.display_name AS displayName, u.last_seen_at AS lastSeenAt';

/** Pairs whose reachability is remembered at most; past it the memory starts over. */
const REACH_CACHE_PAIRS = 100_000;

/**
 * Who may reach whom (docs/PROTOCOL.md section 12), in three tables:
 * - `contacts`: ACCEPTED contacts, two directed rows per pair (every row of
 *   the first schema carries over as accepted);
 * - `contact_requests`: one row per request, `declined` once the recipient
 *   declined it or it was dropped by a block (its sender still sees it as
 *   outgoing; the recipient no longer sees it);
 * - `blocks`: who blocked whom.
 * A user's contacts list is the union of the four relations they see:
 * accepted, outgoing, incoming (not declined), and blocked by them.
 */
export class ContactsRepo {
  private readonly insertStmt;
  private readonly deletePairStmt;
  private readonly isStmt;
  private readonly idsStmt;
  private readonly acceptedPageStmt;
  private readonly outgoingPageStmt;
  private readonly incomingPageStmt;
  private readonly blockedPageStmt;
  private readonly requestStmt;
  private readonly insertRequestStmt;
  private readonly declineStmt;
  private readonly deleteRequestStmt;
  private readonly blockStmt;
  private readonly insertBlockStmt;
  private readonly deleteBlockStmt;
  private readonly blockCountStmt;
  private readonly blockedEitherStmt;
  private readonly reachableStmt;
  private readonly watchersStmt;
  private readonly listersStmt;
  private readonly userStmt;
  /**
   * canReach answers by unordered pair: every send in a direct conversation
   * asks (15 µs a statement on a loaded machine, against a send's whole
   * cost of about 60), and the answer changes only through this
   * repository's writes, which forget the pair, or through the seeder,
   * which calls forgetCached.
   */
  private readonly reach = new Map<string, boolean>();

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare('INSERT OR IGNORE INTO contacts (user_id, contact_id, created_at) VALUES (?, ?, ?)');
    this.deletePairStmt = db.prepare('DELETE FROM contacts WHERE (user_id = @a AND contact_id = @b) OR (user_id = @b AND contact_id = @a)');
    this.isStmt = db.prepare('SELECT 1 FROM contacts WHERE user_id = ? AND contact_id = ?').pluck();
    this.idsStmt = db.prepare('SELECT contact_id FROM contacts WHERE user_id = ?').pluck();
    // Each relation read in id order after a cursor, through its own index; the pages are merged in code.
    this.acceptedPageStmt = db.prepare(
      `SELECT ${USER_COLUMNS} FROM contacts c JOIN users u ON u.id = c.contact_id
       WHERE c.user_id = ? AND c.contact_id > ? ORDER BY c.contact_id LIMIT ?`,
    );
    this.outgoingPageStmt = db.prepare(
      `SELECT ${USER_COLUMNS} FROM contact_requests r JOIN users u ON u.id = r.to_id
       WHERE r.from_id = ? AND r.to_id > ? ORDER BY r.to_id LIMIT ?`,
    );
    this.incomingPageStmt = db.prepare(
      `SELECT ${USER_COLUMNS} FROM contact_requests r JOIN users u ON u.id = r.from_id
       WHERE r.to_id = ? AND r.declined = 0 AND r.from_id > ? ORDER BY r.from_id LIMIT ?`,
    );
    this.blockedPageStmt = db.prepare(
      `SELECT ${USER_COLUMNS} FROM blocks b JOIN users u ON u.id = b.blocked_id
       WHERE b.blocker_id = ? AND b.blocked_id > ? ORDER BY b.blocked_id LIMIT ?`,
    );
    this.requestStmt = db.prepare('SELECT declined FROM contact_requests WHERE from_id = ? AND to_id = ?').pluck();
    this.insertRequestStmt = db.prepare('INSERT OR IGNORE INTO contact_requests (from_id, to_id, declined, created_at) VALUES (?, ?, ?, ?)');
    this.declineStmt = db.prepare('UPDATE contact_requests SET declined = 1 WHERE from_id = ? AND to_id = ?');
    this.deleteRequestStmt = db.prepare('DELETE FROM contact_requests WHERE from_id = ? AND to_id = ?');
    this.blockStmt = db.prepare('SELECT 1 FROM blocks WHERE blocker_id = ? AND blocked_id = ?').pluck();
    this.insertBlockStmt = db.prepare('INSERT OR IGNORE INTO blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?)');
    this.deleteBlockStmt = db.prepare('DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?');
    this.blockCountStmt = db.prepare('SELECT COUNT(*) FROM blocks WHERE blocker_id = ?').pluck();
    this.blockedEitherStmt = db
      .prepare('SELECT EXISTS (SELECT 1 FROM blocks WHERE (blocker_id = @a AND blocked_id = @b) OR (blocker_id = @b AND blocked_id = @a))')
      .pluck();
    this.reachableStmt = db
      .prepare(
        `SELECT EXISTS (SELECT 1 FROM contacts WHERE user_id = @a AND contact_id = @b)
            AND NOT EXISTS (SELECT 1 FROM blocks WHERE (blocker_id = @a AND blocked_id = @b) OR (blocker_id = @b AND blocked_id = @a))`,
      )
      .pluck();
    this.watchersStmt = db
      .prepare(
        `SELECT c.contact_id FROM contacts c WHERE c.user_id = @a
         AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = @a AND b.blocked_id = c.contact_id) OR (b.blocker_id = c.contact_id AND b.blocked_id = @a))`,
      )
      .pluck();
    this.listersStmt = db
      .prepare(
        `SELECT contact_id FROM contacts WHERE user_id = @a
         UNION SELECT to_id FROM contact_requests WHERE from_id = @a AND declined = 0
         UNION SELECT from_id FROM contact_requests WHERE to_id = @a
         UNION SELECT blocker_id FROM blocks WHERE blocked_id = @a`,
      )
      .pluck();
    this.userStmt = db.prepare(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = ?`);
  }

  /** Makes a and b ACCEPTED contacts, ending any request between them; true when they were not contacts already. */
  addPair(a: string, b: string, now: number): boolean {
    this.forgetPair(a, b);
    return this.db.transaction(() => {
      this.deleteRequestStmt.run(a, b);
      this.deleteRequestStmt.run(b, a);
      const one = this.insertStmt.run(a, b, now).changes;
      const two = this.insertStmt.run(b, a, now).changes;
      return one + two > 0;
    })();
  }

  /** a and b are no longer contacts (their conversations stay); true when they were. */
  removePair(a: string, b: string): boolean {
    this.forgetPair(a, b);
    return this.deletePairStmt.run({ a, b }).changes > 0;
  }

  /**
   * True when the two are ACCEPTED contacts (blocks not considered). Kept with
   * this meaning for the code that checks group members; whoever lets one
   * user reach another also checks `blockedEitherWay`, or uses `canReach`.
   */
  isContact(userId: string, otherId: string): boolean {
    return this.isStmt.get(userId, otherId) !== undefined;
  }

  /** True when either of the two has blocked the other. */
  blockedEitherWay(a: string, b: string): boolean {
    return this.blockedEitherStmt.get({ a, b }) === 1;
  }

  /** Accepted contacts with no block between them, in one statement: may create a conversation with, add to a group, write to directly. */
  canReach(userId: string, otherId: string): boolean {
    const key = pairKey(userId, otherId);
    const known = this.reach.get(key);
    if (known !== undefined) return known;
    const answer = this.reachableStmt.get({ a: userId, b: otherId }) === 1;
    if (this.reach.size >= REACH_CACHE_PAIRS) this.reach.clear();
    this.reach.set(key, answer);
    return answer;
  }

  /** Forgets every remembered answer (data written around this repository: the seeder, the mock reset). */
  forgetCached(): void {
    this.reach.clear();
  }

  private forgetPair(a: string, b: string): void {
    this.reach.delete(pairKey(a, b));
  }

  /** The user's accepted contacts' ids. */
  contactIds(userId: string): string[] {
    return this.idsStmt.all(userId) as string[];
  }

  /** Who sees the user's presence: accepted contacts with no block either way. */
  presenceWatchers(userId: string): string[] {
    return this.watchersStmt.all({ a: userId }) as string[];
  }

  /** Everyone whose contacts list holds an entry of the user (who must hear when their name changes). */
  listedBy(userId: string): string[] {
    return this.listersStmt.all({ a: userId }) as string[];
  }

  /** 'pending', 'declined' or null: the request from `from` to `to`. */
  request(from: string, to: string): 'pending' | 'declined' | null {
    const declined = this.requestStmt.get(from, to) as number | undefined;
    return declined === undefined ? null : declined === 1 ? 'declined' : 'pending';
  }

  /** Records a request (`declined` from the start when it is dropped by a block); an existing one is left as it is. */
  addRequest(from: string, to: string, declined: boolean, now: number): void {
    this.insertRequestStmt.run(from, to, declined ? 1 : 0, now);
  }

  /** The recipient declined (or blocked the sender): the sender still sees it, the recipient no longer does. */
  declineRequest(from: string, to: string): boolean {
    return this.declineStmt.run(from, to).changes > 0;
  }

  /** Withdrawn by its sender. */
  deleteRequest(from: string, to: string): boolean {
    return this.deleteRequestStmt.run(from, to).changes > 0;
  }

  hasBlocked(blocker: string, blocked: string): boolean {
    return this.blockStmt.get(blocker, blocked) !== undefined;
  }

  blockCount(blocker: string): number {
    return this.blockCountStmt.get(blocker) as number;
  }

  /**
   * `blocker` blocks `blocked`: the blocked one's request to the blocker is
   * dropped (declined, so they keep seeing it as sent), the blocker's own
   * request to them withdrawn. Contacts stay (unblocking restores them).
   */
  block(blocker: string, blocked: string, now: number): boolean {
    this.forgetPair(blocker, blocked);
    return this.db.transaction(() => {
      const added = this.insertBlockStmt.run(blocker, blocked, now).changes > 0;
      this.declineStmt.run(blocked, blocker);
      this.deleteRequestStmt.run(blocker, blocked);
      return added;
    })();
  }

  unblock(blocker: string, blocked: string): boolean {
    this.forgetPair(blocker, blocked);
    return this.deleteBlockStmt.run(blocker, blocked).changes > 0;
  }

  /**
   * One page of the user's contacts list: the entries after `afterId` in id
   * order, at most `limit`. Each relation is read from its index after the
   * cursor, `limit` at most, and the four merged: the first `limit` of the
   * union are among the first `limit` of each.
   */
  page(userId: string, afterId: string, limit: number): ContactEntryRow[] {
    const merged = new Map<string, Relations>();
    const add = (rows: unknown[], flag: keyof Omit<Relations, 'row'>): void => {
      for (const row of rows as ContactRow[]) {
        let entry = merged.get(row.id);
        if (!entry) merged.set(row.id, (entry = { row, accepted: false, outgoing: false, incoming: false, blocked: false }));
        entry[flag] = true;
      }
    };
    add(this.acceptedPageStmt.all(userId, afterId, limit), 'accepted');
    add(this.outgoingPageStmt.all(userId, afterId, limit), 'outgoing');
    add(this.incomingPageStmt.all(userId, afterId, limit), 'incoming');
    add(this.blockedPageStmt.all(userId, afterId, limit), 'blocked');
    const ids = [...merged.keys()].sort(byteOrder).slice(0, limit);
    return ids.map((id) => this.entryOf(userId, merged.get(id)!));
  }

  /** The user's entry for `otherId`, or undefined when it is not in their list. */
  find(userId: string, otherId: string): ContactEntryRow | undefined {
    if (userId === otherId) return undefined;
    const row = this.userStmt.get(otherId) as ContactRow | undefined;
    if (!row) return undefined;
    const relations: Relations = {
      row,
      accepted: this.isContact(userId, otherId),
      outgoing: this.request(userId, otherId) !== null,
      incoming: this.request(otherId, userId) === 'pending',
      blocked: this.hasBlocked(userId, otherId),
    };
    if (!relations.accepted && !relations.outgoing && !relations.incoming && !relations.blocked) return undefined;
    return this.entryOf(userId, relations);
  }

  private entryOf(userId: string, r: Relations): ContactEntryRow {
    const state: ContactState = r.accepted ? 'accepted' : r.outgoing ? 'outgoing' : r.incoming ? 'incoming' : 'none';
    // Presence shows between accepted contacts only, and not while either has blocked the other.
    const presenceVisible = r.accepted && !r.blocked && !this.hasBlocked(r.row.id, userId);
    return { ...r.row, state, blocked: r.blocked, presenceVisible };
  }
}

interface Relations {
  row: ContactRow;
  accepted: boolean;
  outgoing: boolean;
  incoming: boolean;
  blocked: boolean;
}

/** SQLite compares TEXT by bytes; ids are ASCII, where that is UTF-16 order too. */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\n${b}` : `${b}\n${a}`;
}

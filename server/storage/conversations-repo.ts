import type { Conversation, MemberInfo, MemberPosition } from '../../src/protocol/index';
import type { Db } from './database';
import { lowestOf, lowestOfOthers, movedLowest, othersMayHaveMoved, type LowestPosition } from './lowest-position';
import type { CommittedPositions } from './message-writer';

interface ConversationRow {
  id: string;
  kind: 'direct' | 'group';
  title: string;
  ownerId: string | null;
  latestSeq: number;
  updatedAt: number;
}

interface MemberRow {
  userId: string;
  deliveredSeq: number;
  readSeq: number;
  joinedSeq: number;
}

const CONV_COLUMNS = 'c.id, c.kind, c.title, c.owner_id AS ownerId, c.latest_seq AS latestSeq, c.updated_at AS updatedAt';
const MEMBER_COLUMNS = 'user_id AS userId, delivered_seq AS deliveredSeq, read_seq AS readSeq, joined_seq AS joinedSeq';

/**
 * What every member sees alike of a conversation: the `conversations` entry
 * without the caller's fields (docs/PROTOCOL.md section 7a). Shared: callers
 * must not mutate it.
 */
export interface ConversationState {
  readonly id: string;
  readonly kind: 'direct' | 'group';
  readonly title: string;
  readonly ownerId: string | null;
  readonly memberIds: readonly string[];
  readonly latestSeq: number;
  readonly updatedAt: number;
  readonly members: Readonly<Record<string, MemberInfo>>;
}

/** What the caller-specific fields of an entry are for one user. */
export interface CallerFields {
  myDeliveredSeq: number;
  myReadSeq: number;
  deliveredToAllSeq: number;
  readByAllSeq: number;
}

/** What one committed batch's receipts changed in one conversation. */
export interface ReceiptMoves {
  conversationId: string;
  /** The members whose positions moved, with their positions now. */
  moved: Map<string, MemberPosition>;
  /** The members whose `deliveredToAllSeq` or `readByAllSeq` (as each sees them) moved. */
  summaryMoved: string[];
}

/** A cached conversation: the shared state, every member's positions and their lowest. */
interface Cached {
  state: ConversationState;
  /** Per member, effective positions (never below joinedSeq - 1). Owned here: replaced, never handed out. */
  positions: Map<string, MemberPosition>;
  delivered: LowestPosition;
  read: LowestPosition;
}

export interface NewConversation {
  id: string;
  kind: 'direct' | 'group';
  title: string;
  /** For direct conversations: the two member ids sorted and joined, unique. */
  directKey: string | null;
  createdBy: string;
  memberIds: string[];
  now: number;
}

/** How many entries the cache keeps (oldest-loaded dropped first). */
const CACHE_LIMIT = 50_000;

/**
 * How many members the cached entries may hold together (oldest-loaded
 * dropped first). An entry costs about 100 bytes a member, so this is about
 * 100 MB; by entries alone, 50,000 groups of 500 would be 2.5 GB.
 */
export const CACHE_MEMBER_LIMIT = 1_000_000;

/**
 * Conversations, their members, each member's joinedSeq and delivered/read
 * positions, and each caller's view of them (the `conversations` entry of
 * docs/PROTOCOL.md section 7a).
 *
 * Conversations are cached in memory, so that the hot paths do not query
 * per message: every send and subscribe checks membership, and every
 * committed batch notifies `conversations`. The cache stays true because
 * every write to these tables goes through here or reports to here:
 * `create` here, the message writer's commits (messages and receipts)
 * through `committed()` (called after COMMIT, never for a rolled-back
 * batch), and writes that bypass it (the Seeder, the mock reset, membership
 * and title changes) call `forgetCached()`. Only conversations that exist
 * are cached, so a miss always asks the database. The cache is held to
 * CACHE_LIMIT conversations and `memberLimit` members together.
 *
 * A member's positions are served never below `joinedSeq - 1`: a member
 * added at seq J cannot see the entries before J, so they count as
 * delivered and read for them (no unread count for them, no summary held
 * back by them). The lowest positions over the members are kept per
 * conversation (lowest-position.ts), so an entry's summaries cost O(1) per
 * caller and a batch of receipts one O(members) scan per conversation.
 */
export class ConversationsRepo {
  private readonly cache = new Map<string, Cached>();
  /** Members of every cached conversation together, held to `memberLimit`. */
  private cachedMembers = 0;
  private readonly insertConv;
  private readonly insertMember;
  private readonly byIdStmt;
  private readonly byDirectKeyStmt;
  private readonly membersStmt;
  private readonly idsForUserStmt;
  private readonly groupsCreatedStmt;

  constructor(
    private readonly db: Db,
    private readonly memberLimit: number = CACHE_MEMBER_LIMIT,
  ) {
    this.insertConv = db.prepare(
      `INSERT INTO conversations (id, kind, title, direct_key, created_by, owner_id, created_at, updated_at, latest_seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)`,
    );
    // Founders see the log from its first entry.
    this.insertMember = db.prepare('INSERT OR IGNORE INTO members (conversation_id, user_id, joined_seq) VALUES (?, ?, 1)');
    this.byIdStmt = db.prepare(`SELECT ${CONV_COLUMNS} FROM conversations c WHERE c.id = ?`);
    this.byDirectKeyStmt = db.prepare('SELECT id FROM conversations WHERE direct_key = ?').pluck();
    this.membersStmt = db.prepare(`SELECT ${MEMBER_COLUMNS} FROM members WHERE conversation_id = ?`);
    this.groupsCreatedStmt = db
      .prepare("SELECT COUNT(*) FROM conversations WHERE created_by = ? AND created_at > ? AND kind = 'group'")
      .pluck();
    this.idsForUserStmt = db
      .prepare('SELECT conversation_id FROM members WHERE user_id = ? AND conversation_id > ? ORDER BY conversation_id LIMIT ?')
      .pluck();
  }

  /** Stores a new conversation; a group is owned by its creator, a direct conversation by nobody. */
  create(c: NewConversation): void {
    const ownerId = c.kind === 'group' ? c.createdBy : null;
    this.db.transaction(() => {
      this.insertConv.run(c.id, c.kind, c.title, c.directKey, c.createdBy, ownerId, c.now, c.now);
      for (const userId of c.memberIds) this.insertMember.run(c.id, userId);
    })();
    this.uncache(c.id);
  }

  /** Drops cached conversations (after writes that bypass this repository: seeding, reset, membership and title changes). */
  forgetCached(conversationId?: string): void {
    if (conversationId === undefined) {
      this.cache.clear();
      this.cachedMembers = 0;
    } else this.uncache(conversationId);
  }

  /**
   * The message writer committed: these conversations now end at these
   * seqs, updated at `updatedAt`, and these members' receipts moved their
   * positions (never back: MAX with the cached ones). Returns, per
   * conversation whose positions moved, who moved and whose summaries moved.
   * The lowest positions are kept in O(1) per receipt where they can be
   * (lowest-position.ts); at most two scans of a conversation's members
   * per batch otherwise, and one more to find whose summaries moved when
   * they may have.
   */
  committed(latestSeq: ReadonlyMap<string, number>, updatedAt: number, positions: readonly CommittedPositions[] = []): ReceiptMoves[] {
    for (const [id, seq] of latestSeq) {
      const cached = this.cache.get(id);
      if (cached) cached.state = { ...cached.state, latestSeq: seq, updatedAt };
    }
    const byConversation = new Map<string, CommittedPositions[]>();
    for (const p of positions) {
      const list = byConversation.get(p.conversationId);
      if (list) list.push(p);
      else byConversation.set(p.conversationId, [p]);
    }
    const moves: ReceiptMoves[] = [];
    for (const [conversationId, list] of byConversation) {
      const move = this.applyPositions(conversationId, list);
      if (move && move.moved.size > 0) moves.push(move);
    }
    return moves;
  }

  private applyPositions(conversationId: string, list: readonly CommittedPositions[]): ReceiptMoves | undefined {
    const cached = this.cache.get(conversationId);
    if (!cached) {
      // Not cached: loaded now, with the committed positions already in it; what each member saw before is not known, so every summary counts as moved.
      const loaded = this.load(conversationId);
      if (!loaded) return undefined;
      const moved = new Map<string, MemberPosition>();
      for (const p of list) {
        const now = loaded.positions.get(p.userId);
        if (now) moved.set(p.userId, now);
      }
      return { conversationId, moved, summaryMoved: [...loaded.state.memberIds] };
    }
    const before = new Map<string, MemberPosition>();
    const oldDelivered = cached.delivered;
    const oldRead = cached.read;
    let delivered: LowestPosition | null = oldDelivered;
    let read: LowestPosition | null = oldRead;
    for (const p of list) {
      const old = cached.positions.get(p.userId);
      if (!old) continue;
      const deliveredSeq = Math.max(old.deliveredSeq, p.deliveredSeq);
      const readSeq = Math.max(old.readSeq, p.readSeq);
      if (deliveredSeq === old.deliveredSeq && readSeq === old.readSeq) continue;
      if (!before.has(p.userId)) before.set(p.userId, old);
      cached.positions.set(p.userId, { deliveredSeq, readSeq });
      // Kept in O(1) where it can be; a scan of the members at the end where it cannot.
      delivered = delivered && movedLowest(delivered, old.deliveredSeq, deliveredSeq);
      read = read && movedLowest(read, old.readSeq, readSeq);
    }
    const moved = new Map<string, MemberPosition>();
    for (const userId of before.keys()) moved.set(userId, cached.positions.get(userId)!);
    if (moved.size === 0) return { conversationId, moved, summaryMoved: [] };
    cached.delivered = delivered ?? lowestOf(positionValues(cached.positions, 'deliveredSeq'));
    cached.read = read ?? lowestOf(positionValues(cached.positions, 'readSeq'));
    // Each member's view depends on the lowest positions and on their own: one scan, only when some view may have moved.
    const summaryMoved: string[] = [];
    if (othersMayHaveMoved(oldDelivered, cached.delivered) || othersMayHaveMoved(oldRead, cached.read)) {
      for (const [userId, now] of cached.positions) {
        const was = before.get(userId) ?? now;
        if (
          lowestOfOthers(oldDelivered, was.deliveredSeq) !== lowestOfOthers(cached.delivered, now.deliveredSeq) ||
          lowestOfOthers(oldRead, was.readSeq) !== lowestOfOthers(cached.read, now.readSeq)
        ) {
          summaryMoved.push(userId);
        }
      }
    }
    return { conversationId, moved, summaryMoved };
  }

  findDirect(directKey: string): string | undefined {
    return this.byDirectKeyStmt.get(directKey) as string | undefined;
  }

  exists(id: string): boolean {
    return this.get(id) !== undefined;
  }

  latestSeq(id: string): number | undefined {
    return this.get(id)?.latestSeq;
  }

  /** What every member sees alike, from the cache or loaded into it. Shared: do not mutate. */
  get(id: string): ConversationState | undefined {
    return (this.cache.get(id) ?? this.load(id))?.state;
  }

  /**
   * The `conversations` entry of `id` as `userId` sees it: the shared state
   * with their own positions and the lowest of the others'. A caller who is
   * no member (a removed member's last entry) gets 0 for their own
   * positions and every member counted in the summaries.
   */
  entryFor(id: string, userId: string): Conversation | undefined {
    const cached = this.cache.get(id) ?? this.load(id);
    return cached && { ...cached.state, memberIds: [...cached.state.memberIds], ...callerFields(cached, userId) };
  }

  /** Only the caller-specific fields of `entryFor` (what a receipt can change), without copying anything of size O(members). */
  callerFields(id: string, userId: string): CallerFields | undefined {
    const cached = this.cache.get(id) ?? this.load(id);
    return cached && callerFields(cached, userId);
  }

  /** Every member's positions (the `receipts:<id>` resource); undefined when there is no such conversation. */
  receipts(id: string): Record<string, MemberPosition> | undefined {
    const cached = this.cache.get(id) ?? this.load(id);
    return cached && Object.fromEntries(cached.positions);
  }

  /** The positions of those of `userIds` who are members. */
  receiptsOf(id: string, userIds: Iterable<string>): Map<string, MemberPosition> {
    const positions = (this.cache.get(id) ?? this.load(id))?.positions;
    const found = new Map<string, MemberPosition>();
    if (!positions) return found;
    for (const userId of userIds) {
      const p = positions.get(userId);
      if (p) found.set(userId, p);
    }
    return found;
  }

  /** The lowest position a member is served: joinedSeq - 1 (0 for founders and for no member). */
  positionFloor(id: string, userId: string): number {
    const joined = this.get(id)?.members[userId]?.joinedSeq;
    return joined === undefined ? 0 : joined - 1;
  }

  /** One member's positions; undefined when not a member. */
  positionOf(id: string, userId: string): MemberPosition | undefined {
    return (this.cache.get(id) ?? this.load(id))?.positions.get(userId);
  }

  private load(id: string): Cached | undefined {
    const row = this.byIdStmt.get(id) as ConversationRow | undefined;
    if (!row) return undefined;
    const cached = toCached(row, this.membersStmt.all(id) as MemberRow[]);
    const size = cached.state.memberIds.length;
    while (this.cache.size > 0 && (this.cache.size >= CACHE_LIMIT || this.cachedMembers + size > this.memberLimit)) {
      this.uncache(this.cache.keys().next().value!);
    }
    this.cache.set(id, cached);
    this.cachedMembers += size;
    return cached;
  }

  private uncache(id: string): void {
    const cached = this.cache.get(id);
    if (!cached) return;
    this.cache.delete(id);
    this.cachedMembers -= cached.state.memberIds.length;
  }

  /**
   * The ids of the user's conversations after `afterId`, in id order, at
   * most `limit`: one page of the conversations list (whose entries come
   * from entryFor(), the cache).
   */
  idsForUser(userId: string, afterId: string, limit: number): string[] {
    return this.idsForUserStmt.all(userId, afterId, limit) as string[];
  }

  /** How many groups the user created after `since` (ms). */
  groupsCreatedSince(userId: string, since: number): number {
    return this.groupsCreatedStmt.get(userId, since) as number;
  }

  isMember(conversationId: string, userId: string): boolean {
    const state = this.get(conversationId);
    return state !== undefined && Object.hasOwn(state.members, userId);
  }

  /** Empty when there is no such conversation. */
  memberIds(conversationId: string): string[] {
    return [...(this.get(conversationId)?.memberIds ?? [])];
  }

  /** How many members a conversation has (0: no such conversation). */
  memberCount(conversationId: string): number {
    return this.get(conversationId)?.memberIds.length ?? 0;
  }

  /**
   * A receipt's answer when it would change nothing: the member's cached
   * positions already reach `seq` clamped to the cached latestSeq (`read`:
   * both positions; else delivered). Undefined when it has to be written
   * (through the message writer, which clamps and moves forward inside its
   * transaction) or when this is not a member.
   */
  unchangedBy(conversationId: string, userId: string, seq: number, read: boolean): MemberPosition | undefined {
    const cached = this.cache.get(conversationId) ?? this.load(conversationId);
    const member = cached?.positions.get(userId);
    if (!cached || !member) return undefined;
    const target = Math.min(seq, cached.state.latestSeq);
    if (member.deliveredSeq >= target && (!read || member.readSeq >= target)) return member;
    return undefined;
  }
}

function* positionValues(positions: ReadonlyMap<string, MemberPosition>, field: keyof MemberPosition): Generator<number> {
  for (const p of positions.values()) yield p[field];
}

function callerFields(cached: Cached, userId: string): CallerFields {
  const own = cached.positions.get(userId);
  return {
    myDeliveredSeq: own?.deliveredSeq ?? 0,
    myReadSeq: own?.readSeq ?? 0,
    deliveredToAllSeq: lowestOfOthers(cached.delivered, own?.deliveredSeq),
    readByAllSeq: lowestOfOthers(cached.read, own?.readSeq),
  };
}

function toCached(row: ConversationRow, rows: MemberRow[]): Cached {
  const members: Record<string, MemberInfo> = {};
  const positions = new Map<string, MemberPosition>();
  for (const m of rows) {
    members[m.userId] = { joinedSeq: m.joinedSeq };
    // Entries before joinedSeq are never served to this member: they count as delivered and read.
    const floor = m.joinedSeq - 1;
    positions.set(m.userId, { deliveredSeq: Math.max(m.deliveredSeq, floor), readSeq: Math.max(m.readSeq, floor) });
  }
  const state: ConversationState = {
    id: row.id,
    kind: row.kind,
    title: row.title,
    ownerId: row.ownerId,
    memberIds: rows.map((m) => m.userId),
    latestSeq: row.latestSeq,
    updatedAt: row.updatedAt,
    members,
  };
  return {
    state,
    positions,
    delivered: lowestOf(positionValues(positions, 'deliveredSeq')),
    read: lowestOf(positionValues(positions, 'readSeq')),
  };
}

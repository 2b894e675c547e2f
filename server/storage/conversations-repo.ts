import type { Conversation } from '../../src/protocol/index';
import type { Db } from './database';
import type { CommittedPositions } from './message-writer';

interface ConversationRow {
  id: string;
  kind: 'direct' | 'group';
  title: string;
  latestSeq: number;
  updatedAt: number;
}

interface MemberRow {
  conversationId: string;
  userId: string;
  deliveredSeq: number;
  readSeq: number;
}

const CONV_COLUMNS = 'c.id, c.kind, c.title, c.latest_seq AS latestSeq, c.updated_at AS updatedAt';
const MEMBER_COLUMNS = 'conversation_id AS conversationId, user_id AS userId, delivered_seq AS deliveredSeq, read_seq AS readSeq';

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
 * Conversations, their members, and each member's delivered/read positions.
 *
 * Whole entries are cached in memory, so that the hot paths do not query
 * per message: every send and subscribe checks membership (the entry's
 * `members` is keyed by member id), and every committed batch notifies
 * `conversations` with its conversations' entries. The cache stays true because every write to these
 * tables goes through here or reports to here: `create` here, the message
 * writer's commits (messages and receipts) through `committed()` (called
 * after COMMIT, never for a rolled-back batch), and the Seeder and the mock reset, which
 * call `forgetCached()`. Only conversations that exist are cached, so a miss
 * always asks the database. Cached entries are shared: callers must not
 * mutate them (every change here replaces the entry object). The cache is
 * held to CACHE_LIMIT entries and `memberLimit` members together.
 */
export class ConversationsRepo {
  private readonly entryCache = new Map<string, Conversation>();
  /** Members of every cached entry together, held to `memberLimit`. */
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
      `INSERT INTO conversations (id, kind, title, direct_key, created_by, created_at, updated_at, latest_seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, 0)`,
    );
    this.insertMember = db.prepare('INSERT OR IGNORE INTO members (conversation_id, user_id) VALUES (?, ?)');
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

  create(c: NewConversation): void {
    this.db.transaction(() => {
      this.insertConv.run(c.id, c.kind, c.title, c.directKey, c.createdBy, c.now, c.now);
      for (const userId of c.memberIds) this.insertMember.run(c.id, userId);
    })();
    this.uncache(c.id);
  }

  /** Drops cached entries (after writes that bypass this repository: seeding, reset). */
  forgetCached(conversationId?: string): void {
    if (conversationId === undefined) {
      this.entryCache.clear();
      this.cachedMembers = 0;
    } else this.uncache(conversationId);
  }

  /**
   * The message writer committed: these conversations now end at these
   * seqs, updated at `updatedAt`, and these members' receipts moved their
   * positions (never back: MAX with the cached ones).
   */
  committed(latestSeq: ReadonlyMap<string, number>, updatedAt: number, positions: readonly CommittedPositions[] = []): void {
    for (const [id, seq] of latestSeq) {
      const entry = this.entryCache.get(id);
      if (entry) this.entryCache.set(id, { ...entry, latestSeq: seq, updatedAt });
    }
    for (const p of positions) {
      const entry = this.entryCache.get(p.conversationId);
      const before = entry?.members[p.userId];
      if (!entry || !before) continue;
      const deliveredSeq = Math.max(before.deliveredSeq, p.deliveredSeq);
      const readSeq = Math.max(before.readSeq, p.readSeq);
      if (deliveredSeq === before.deliveredSeq && readSeq === before.readSeq) continue;
      this.entryCache.set(p.conversationId, { ...entry, members: { ...entry.members, [p.userId]: { deliveredSeq, readSeq } } });
    }
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

  /** The whole entry, from the cache or loaded into it. Shared: do not mutate. */
  get(id: string): Conversation | undefined {
    const cached = this.entryCache.get(id);
    if (cached) return cached;
    const row = this.byIdStmt.get(id) as ConversationRow | undefined;
    if (!row) return undefined;
    const entry = toConversation(row, this.membersStmt.all(id) as MemberRow[]);
    while (this.entryCache.size > 0 && (this.entryCache.size >= CACHE_LIMIT || this.cachedMembers + entry.memberIds.length > this.memberLimit)) {
      this.uncache(this.entryCache.keys().next().value!);
    }
    this.entryCache.set(id, entry);
    this.cachedMembers += entry.memberIds.length;
    return entry;
  }

  private uncache(id: string): void {
    const entry = this.entryCache.get(id);
    if (!entry) return;
    this.entryCache.delete(id);
    this.cachedMembers -= entry.memberIds.length;
  }

  /**
   * The ids of the user's conversations after `afterId`, in id order, at
   * most `limit`: one page of the conversations list (whose entries come
   * from get(), the cache).
   */
  idsForUser(userId: string, afterId: string, limit: number): string[] {
    return this.idsForUserStmt.all(userId, afterId, limit) as string[];
  }

  /** How many groups the user created after `since` (ms). */
  groupsCreatedSince(userId: string, since: number): number {
    return this.groupsCreatedStmt.get(userId, since) as number;
  }

  isMember(conversationId: string, userId: string): boolean {
    const entry = this.get(conversationId);
    return entry !== undefined && Object.hasOwn(entry.members, userId);
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
  unchangedBy(conversationId: string, userId: string, seq: number, read: boolean): { deliveredSeq: number; readSeq: number } | undefined {
    const entry = this.get(conversationId);
    const member = entry?.members[userId];
    if (!entry || !member) return undefined;
    const target = Math.min(seq, entry.latestSeq);
    if (member.deliveredSeq >= target && (!read || member.readSeq >= target)) return member;
    return undefined;
  }
}

function toConversation(row: ConversationRow, members: MemberRow[]): Conversation {
  const positions: Conversation['members'] = {};
  for (const m of members) positions[m.userId] = { deliveredSeq: m.deliveredSeq, readSeq: m.readSeq };
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    memberIds: members.map((m) => m.userId),
    latestSeq: row.latestSeq,
    updatedAt: row.updatedAt,
    members: positions,
  };
}

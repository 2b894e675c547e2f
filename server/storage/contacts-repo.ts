import type { Db } from './database';

export interface ContactRow {
  id: string;
  username: string;
  displayName: string;
  lastSeenAt: number | null;
}

/** The symmetric contact relation, stored as two directed rows. */
export class ContactsRepo {
  private readonly insertStmt;
  private readonly pageStmt;
  private readonly oneStmt;
  private readonly isStmt;
  private readonly idsStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare('INSERT OR IGNORE INTO contacts (user_id, contact_id, created_at) VALUES (?, ?, ?)');
    this.pageStmt = db.prepare(
      `SELECT u.id, u.username, u.display_name AS displayName, u.last_seen_at AS lastSeenAt
       FROM contacts c JOIN users u ON u.id = c.contact_id
       WHERE c.user_id = ? AND c.contact_id > ? ORDER BY c.contact_id LIMIT ?`,
    );
    this.oneStmt = db.prepare(
      `SELECT u.id, u.username, u.display_name AS displayName, u.last_seen_at AS lastSeenAt
       FROM contacts c JOIN users u ON u.id = c.contact_id WHERE c.user_id = ? AND c.contact_id = ?`,
    );
    this.isStmt = db.prepare('SELECT 1 FROM contacts WHERE user_id = ? AND contact_id = ?').pluck();
    this.idsStmt = db.prepare('SELECT contact_id FROM contacts WHERE user_id = ?').pluck();
  }

  /** Makes a and b each other's contacts; true when that is new. */
  addPair(a: string, b: string, now: number): boolean {
    return this.db.transaction(() => {
      const one = this.insertStmt.run(a, b, now).changes;
      const two = this.insertStmt.run(b, a, now).changes;
      return one + two > 0;
    })();
  }

  /** The user's contacts after `afterId`, in id order, at most `limit`: one page of the contacts list. */
  page(userId: string, afterId: string, limit: number): ContactRow[] {
    return this.pageStmt.all(userId, afterId, limit) as ContactRow[];
  }

  /** One contact of the user, or undefined when `contactId` is not one. */
  find(userId: string, contactId: string): ContactRow | undefined {
    return this.oneStmt.get(userId, contactId) as ContactRow | undefined;
  }

  contactIds(userId: string): string[] {
    return this.idsStmt.all(userId) as string[];
  }

  isContact(userId: string, otherId: string): boolean {
    return this.isStmt.get(userId, otherId) !== undefined;
  }
}

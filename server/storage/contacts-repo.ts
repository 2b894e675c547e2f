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
  private readonly listStmt;
  private readonly isStmt;
  private readonly idsStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare('INSERT OR IGNORE INTO contacts (user_id, contact_id, created_at) VALUES (?, ?, ?)');
    this.listStmt = db.prepare(
      `SELECT u.id, u.username, u.display_name AS displayName, u.last_seen_at AS lastSeenAt
       FROM contacts c JOIN users u ON u.id = c.contact_id WHERE c.user_id = ?`,
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

  list(userId: string): ContactRow[] {
    return this.listStmt.all(userId) as ContactRow[];
  }

  contactIds(userId: string): string[] {
    return this.idsStmt.all(userId) as string[];
  }

  isContact(userId: string, otherId: string): boolean {
    return this.isStmt.get(userId, otherId) !== undefined;
  }
}

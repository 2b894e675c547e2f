import { ContactsRepo } from './contacts-repo';
import { ConversationsRepo } from './conversations-repo';
import type { Db } from './database';
import { MessagesRepo } from './messages-repo';
import { SearchRepo } from './search-repo';
import { SessionsRepo } from './sessions-repo';
import { UsersRepo } from './users-repo';

/**
 * The repositories over one database. This is the seam where a larger
 * deployment swaps the embedded database for a shared one.
 */
/** Pages the /healthz write probe asks room for (see the constructor). */
const PROBE_PAGES = 8;

export class Storage {
  readonly users: UsersRepo;
  readonly sessions: SessionsRepo;
  readonly contacts: ContactsRepo;
  readonly conversations: ConversationsRepo;
  readonly messages: MessagesRepo;
  /** The full-text index of messages' current text (section 10). */
  readonly search: SearchRepo;
  private readonly probeStmt;
  private readonly probeGrowStmt;
  private readonly probeShrinkStmt;

  constructor(readonly db: Db) {
    this.users = new UsersRepo(db);
    this.sessions = new SessionsRepo(db);
    this.contacts = new ContactsRepo(db);
    this.conversations = new ConversationsRepo(db);
    this.messages = new MessagesRepo(db);
    this.search = new SearchRepo(db);
    this.probeStmt = db.prepare('INSERT OR REPLACE INTO health_probe (id, at) VALUES (1, ?)');
    // PROBE_PAGES pages' worth of bytes, written and deleted in the same
    // transaction: it needs free pages as a new message does, and at least
    // as many (a message of the longest body can need a leaf, overflow pages
    // and page splits in the table and its indexes at once; with two pages the
    // probe passed while such a message failed: disk long run, tmpfs).
    this.probeGrowStmt = db.prepare('INSERT OR REPLACE INTO health_probe (id, at) VALUES (2, zeroblob(?))');
    this.probeShrinkStmt = db.prepare('DELETE FROM health_probe WHERE id = 2');
  }

  /**
   * A small write, for /healthz: throws when the database cannot commit or
   * cannot grow (disk full, page limit). Rewriting one existing row is not
   * enough: it fits in a page the file already has and succeeds while every
   * new message fails.
   */
  probeWrite(): void {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    this.db.transaction(() => {
      this.probeStmt.run(Date.now());
      this.probeGrowStmt.run(pageSize * PROBE_PAGES);
      this.probeShrinkStmt.run();
    })();
  }
}

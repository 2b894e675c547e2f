import { ContactsRepo } from './contacts-repo';
import { ConversationsRepo } from './conversations-repo';
import type { Db } from './database';
import { MessagesRepo } from './messages-repo';
import { SessionsRepo } from './sessions-repo';
import { UsersRepo } from './users-repo';

/**
 * The repositories over one database. This is the seam where a larger
 * deployment swaps the embedded database for a shared one.
 */
export class Storage {
  readonly users: UsersRepo;
  readonly sessions: SessionsRepo;
  readonly contacts: ContactsRepo;
  readonly conversations: ConversationsRepo;
  readonly messages: MessagesRepo;
  private readonly probeStmt;

  constructor(readonly db: Db) {
    this.users = new UsersRepo(db);
    this.sessions = new SessionsRepo(db);
    this.contacts = new ContactsRepo(db);
    this.conversations = new ConversationsRepo(db);
    this.messages = new MessagesRepo(db);
    this.probeStmt = db.prepare('INSERT OR REPLACE INTO health_probe (id, at) VALUES (1, ?)');
  }

  /** A tiny write, for /healthz: throws when the database cannot commit. */
  probeWrite(): void {
    this.probeStmt.run(Date.now());
  }
}

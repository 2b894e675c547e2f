import { hashPassword } from '../../server/auth/password';
import { DEMO_CONVERSATIONS, DEMO_USERS } from '../../server/mock/demo-data';
import { closeDatabase, openDatabase } from '../../server/storage/database';
import { Seeder, type SeedMessage } from '../../server/storage/seed';

/**
 * The browser benchmark's account, seeded into a database file with the
 * seeding API (server/storage/seed.ts) before the server starts on it in
 * mock mode (which keeps a file that already has users).
 *
 * alice, bob and carol have the demo ids and passwords; alice has
 * `conversations` conversations: c_alice_carol (the long one), c_alice_bob,
 * the group c_weekend, and direct chats with filler users, holding
 * `messages` messages in all.
 *
 * A client fetches only the newest 100 messages of a conversation it has
 * never seen, but catches up everything after what it holds. So the data goes
 * in two phases: `seedAccount` writes one message per conversation (alice's
 * first login stores all of them), `seedBulk` appends the rest while the
 * server is stopped, and the next start makes the client catch up to every
 * message: all of them end up in its local store.
 */
export interface SeedPlan {
  conversations: number;
  messages: number;
  longConversation: number;
}

export interface SeededAccount {
  /** Conversation ids with their final message counts, long conversation first. */
  counts: Map<string, number>;
  longConversationId: string;
  directWithBobId: string;
}

/** Cheap scrypt: the password hash is not what is measured; the server verifies with the cost stored in the hash. */
const BENCH_SCRYPT = { N: 1024, r: 8, p: 1 };
const DAY = 86_400_000;

export async function seedAccount(dbPath: string, plan: SeedPlan, now = Date.now()): Promise<SeededAccount> {
  if (plan.conversations < 3) throw new Error('the browser benchmark needs at least 3 conversations');
  if (plan.longConversation >= plan.messages) throw new Error('the long conversation must hold fewer messages than all of them');
  const db = openDatabase(dbPath, 'normal');
  try {
    const seeder = new Seeder(db);
    const hashes = await Promise.all(DEMO_USERS.map((u) => hashPassword(u.password, BENCH_SCRYPT)));
    const [alice, bob, carol] = seeder.users(
      DEMO_USERS.map((u, i) => ({ id: u.id, username: u.username, displayName: u.displayName, passwordHash: hashes[i]! })),
      now - 40 * DAY,
    ) as [string, string, string];
    const fillers = seeder.users(
      Array.from({ length: plan.conversations - 3 }, (_, i) => ({
        username: `bench${String(i + 1).padStart(3, '0')}`,
        displayName: `Bench user ${i + 1}`,
        passwordHash: hashes[0]!,
      })),
      now - 40 * DAY,
    );
    seeder.contacts([[alice, bob], [alice, carol], [bob, carol], ...fillers.map((f): [string, string] => [alice, f])], now - 40 * DAY);

    const ids: string[] = [
      seeder.conversation({ id: DEMO_CONVERSATIONS.aliceCarol, memberIds: [alice, carol] }, now - 35 * DAY),
      seeder.conversation({ id: DEMO_CONVERSATIONS.aliceBob, memberIds: [alice, bob] }, now - 35 * DAY),
      seeder.conversation({ id: DEMO_CONVERSATIONS.weekend, memberIds: [alice, bob, carol], title: 'Weekend plans', kind: 'group' }, now - 35 * DAY),
      ...fillers.map((f) => seeder.conversation({ memberIds: [alice, f] }, now - 35 * DAY)),
    ];
    const members = new Map<string, string[]>(ids.map((id, i) => [id, i === 0 ? [alice, carol] : i === 1 ? [alice, bob] : i === 2 ? [alice, bob, carol] : [alice, fillers[i - 3]!]]));

    // The long conversation gets its share; the rest is spread evenly over the others.
    const counts = new Map<string, number>();
    const rest = plan.messages - plan.longConversation;
    const others = ids.length - 1;
    ids.forEach((id, i) => counts.set(id, i === 0 ? plan.longConversation : Math.floor(rest / others) + (i - 1 < rest % others ? 1 : 0)));

    for (const id of ids) seeder.messages(id, [message(id, members.get(id)!, 0, now - 30 * DAY)]);
    db.exec('UPDATE members SET delivered_seq = (SELECT latest_seq FROM conversations c WHERE c.id = conversation_id), read_seq = (SELECT latest_seq FROM conversations c WHERE c.id = conversation_id)');
    // Bulk plan kept in the database file's own terms: the caller passes counts back to seedBulk.
    return { counts, longConversationId: ids[0]!, directWithBobId: ids[1]! };
  } finally {
    closeDatabase(db);
  }
}

/** Appends every message after the first of each conversation (server stopped), all marked delivered and read. */
export function seedBulk(dbPath: string, account: SeededAccount, now = Date.now()): void {
  const db = openDatabase(dbPath, 'normal');
  try {
    const seeder = new Seeder(db);
    const memberRows = db.prepare('SELECT conversation_id AS c, user_id AS u FROM members').all() as { c: string; u: string }[];
    const members = new Map<string, string[]>();
    for (const r of memberRows) members.set(r.c, [...(members.get(r.c) ?? []), r.u]);
    let order = 0;
    for (const [id, count] of account.counts) {
      const from = now - 30 * DAY;
      // The long conversation ends last, so it is at the top of the list.
      const to = id === account.longConversationId ? now - 60_000 : now - 3_600_000 - order++ * 60_000;
      const n = count - 1;
      const step = n > 1 ? (to - from) / n : 0;
      const batch = Array.from({ length: n }, (_, i) => message(id, members.get(id)!, i + 1, Math.round(from + (i + 1) * step)));
      if (batch.length) seeder.messages(id, batch);
    }
    db.exec('UPDATE members SET delivered_seq = (SELECT latest_seq FROM conversations c WHERE c.id = conversation_id), read_seq = (SELECT latest_seq FROM conversations c WHERE c.id = conversation_id)');
  } finally {
    closeDatabase(db);
  }
}

function message(conversationId: string, members: string[], i: number, sentAt: number): SeedMessage {
  const body =
    conversationId === DEMO_CONVERSATIONS.aliceCarol
      ? `Message ${i + 1} of the long history`
      : `Seeded message ${i + 1}: ${'lorem ipsum dolor sit amet '.repeat(1 + (i % 4)).trim()}`;
  return { senderId: members[i % members.length]!, body, sentAt };
}

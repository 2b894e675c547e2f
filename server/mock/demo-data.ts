import { hashPassword } from '../auth/password';
import type { ScryptParams } from '../config';
import type { Db } from '../storage/database';
import { Seeder, type SeedMessage } from '../storage/seed';

/**
 * The mock-mode demo data. Ids are fixed so e2e tests can name them:
 * users u_alice, u_bob, u_carol (passwords tidings-alice, tidings-bob,
 * tidings-carol), all contacts of each other; conversations c_alice_bob
 * (direct, 40 messages over the last four days), c_weekend (group "Weekend
 * plans" of alice, bob and carol, owned by alice, all three founders with
 * joinedSeq 1, 5 messages) and c_alice_carol (direct, 10,000 messages).
 * Every message is a version 2 `message` entry (revision = its seq).
 */
export const DEMO_USERS = [
  { id: 'u_alice', username: 'alice', displayName: 'Alice', password: 'tidings-alice' },
  { id: 'u_bob', username: 'bob', displayName: 'Bob', password: 'tidings-bob' },
  { id: 'u_carol', username: 'carol', displayName: 'Carol', password: 'tidings-carol' },
] as const;

export const DEMO_CONVERSATIONS = { aliceBob: 'c_alice_bob', weekend: 'c_weekend', aliceCarol: 'c_alice_carol' } as const;

// Hashing three passwords at OWASP cost takes a noticeable fraction of a
// second; do it once per process so /__test__/reset stays fast.
const hashCache = new Map<string, Promise<string[]>>();

export function demoPasswordHashes(params: ScryptParams): Promise<string[]> {
  const key = `${params.N}/${params.r}/${params.p}`;
  let hashes = hashCache.get(key);
  if (!hashes) {
    hashes = Promise.all(DEMO_USERS.map((u) => hashPassword(u.password, params)));
    hashCache.set(key, hashes);
  }
  return hashes;
}

const CHAT = [
  'Hey! Are we still on for Thursday?',
  'Yes, 7 pm works for me.',
  'Great. Should I book a table?',
  'Please do, somewhere near the station.',
  'Booked: the little Italian place.',
  'Perfect, see you there.',
  'Did you see the match last night?',
  'Only the second half. What a finish!',
  'I still cannot believe that goal.',
  'Same here 😄',
];

export function seedDemo(db: Db, hashes: string[], now = Date.now()): void {
  const seeder = new Seeder(db);
  const [alice, bob, carol] = seeder.users(
    DEMO_USERS.map((u, i) => ({ id: u.id, username: u.username, displayName: u.displayName, passwordHash: hashes[i]! })),
    now - 30 * 86_400_000,
  ) as [string, string, string];
  seeder.contacts([[alice, bob], [alice, carol], [bob, carol]], now - 30 * 86_400_000);

  const day = 86_400_000;
  const ab = seeder.conversation({ id: DEMO_CONVERSATIONS.aliceBob, memberIds: [alice, bob] }, now - 5 * day);
  seeder.messages(ab, spread(40, now - 4 * day, now - 60_000, (i) => ({ senderId: i % 2 ? bob : alice, body: CHAT[i % CHAT.length]! })));

  // alice creates it, so alice owns it (the e2e suites remove and add members as her).
  const weekend = seeder.conversation(
    { id: DEMO_CONVERSATIONS.weekend, memberIds: [alice, bob, carol], title: 'Weekend plans', kind: 'group', createdBy: alice },
    now - 2 * day,
  );
  const plans = ['Hiking on Saturday?', 'Count me in!', 'Only if we start after 9 😅', 'Deal: 9:30 at the trailhead.', 'I will bring snacks.'];
  const senders = [alice, bob, carol, alice, carol];
  seeder.messages(weekend, spread(plans.length, now - 2 * day, now - 3_600_000, (i) => ({ senderId: senders[i]!, body: plans[i]! })));

  const ac = seeder.conversation({ id: DEMO_CONVERSATIONS.aliceCarol, memberIds: [alice, carol] }, now - 31 * day);
  seeder.messages(
    ac,
    spread(10_000, now - 30 * day, now - 7_200_000, (i) => ({ senderId: i % 3 ? carol : alice, body: `Message ${i + 1} of the long history` })),
  );
  // Everything seeded counts as delivered and read: the demo starts with no unread badges.
  db.exec('UPDATE members SET delivered_seq = (SELECT latest_seq FROM conversations c WHERE c.id = conversation_id), read_seq = (SELECT latest_seq FROM conversations c WHERE c.id = conversation_id)');
}

function spread(n: number, from: number, to: number, make: (i: number) => Omit<SeedMessage, 'sentAt'>): SeedMessage[] {
  const step = n > 1 ? (to - from) / (n - 1) : 0;
  return Array.from({ length: n }, (_, i) => ({ ...make(i), sentAt: Math.round(from + i * step) }));
}

import { testPasswordHash } from '../../server/test/harness';
import type { Seeder } from '../../server/storage/seed';

/**
 * Users, sessions and conversations seeded straight into a database (never
 * through scrypt or the protocol). Tokens are fixed strings so a restarted
 * server still accepts them.
 */
export interface SeededUser {
  id: string;
  username: string;
  token: string;
}

export interface World {
  users: SeededUser[];
  /** One group conversation of every user. */
  groupId: string;
  /** Direct conversation of users[2i] and users[2i+1]. */
  directIds: string[];
}

export async function seedWorld(seeder: Seeder, userCount: number, prefix = 'rel'): Promise<World> {
  const hash = await testPasswordHash();
  const names = Array.from({ length: userCount }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);
  const ids = seeder.users(names.map((username) => ({ username, passwordHash: hash })));
  const users = names.map((username, i) => ({ id: ids[i]!, username, token: `reliability-token-${username}-${'x'.repeat(20)}` }));
  seeder.sessions(users.map((u) => ({ userId: u.id, token: u.token })));
  const pairs: [string, string][] = [];
  for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) pairs.push([ids[i]!, ids[j]!]);
  seeder.contacts(pairs);
  const groupId = seeder.conversation({ memberIds: ids, title: 'everyone', kind: 'group' });
  const directIds: string[] = [];
  for (let i = 0; i + 1 < ids.length; i += 2) directIds.push(seeder.conversation({ memberIds: [ids[i]!, ids[i + 1]!] }));
  return { users, groupId, directIds };
}

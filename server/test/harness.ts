import { startServer, type RunningServer } from '../app';
import { hashPassword } from '../auth/password';
import type { ServerOptions } from '../config';
import { ProtocolClient } from './protocol-client';

/**
 * Test servers and accounts. Accounts are seeded straight into the database
 * with one cheap hash (tests about hashing use the real cost), so a suite
 * spends its time on behaviour, not on scrypt.
 */
export const CHEAP_SCRYPT = { N: 1024, r: 8, p: 1 };
export const TEST_PASSWORD = 'correct horse battery';

let cheapHash: Promise<string> | null = null;

export function testPasswordHash(): Promise<string> {
  return (cheapHash ??= hashPassword(TEST_PASSWORD, CHEAP_SCRYPT));
}

export function startTestServer(options: ServerOptions = {}): Promise<RunningServer> {
  return startServer({ port: 0, host: '127.0.0.1', dbPath: ':memory:', logLevel: 'silent', ...options, scrypt: { ...CHEAP_SCRYPT, ...options.scrypt } });
}

/** Seeds users (all contacts of each other when `contacts`), returning their ids by username. */
export async function seedUsers(server: RunningServer, usernames: string[], contacts = true): Promise<Record<string, string>> {
  const hash = await testPasswordHash();
  const ids = server.seeder.users(usernames.map((username) => ({ username, passwordHash: hash, displayName: username.toUpperCase() })));
  if (contacts) {
    const pairs: [string, string][] = [];
    for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) pairs.push([ids[i]!, ids[j]!]);
    server.seeder.contacts(pairs);
  }
  return Object.fromEntries(usernames.map((u, i) => [u, ids[i]!]));
}

/** A registered, logged-in client. */
export async function loginAs(server: RunningServer, username: string, publicComputer = false): Promise<{ client: ProtocolClient; token: string }> {
  const client = await ProtocolClient.connect(server.wsUrl);
  await client.register();
  const reply = await client.call(
    'AccountLoginCommand',
    { userInformation: { username, password: TEST_PASSWORD }, publicComputer },
    'AccountLoginResponse',
  );
  if (!reply.loggedIn) throw new Error(`login of ${username} failed: ${reply.reason}`);
  if (!('sessionToken' in reply)) throw new Error(`login of ${username} answered a cookie code, not asked for`);
  return { client, token: reply.sessionToken };
}

/** ann and ben, contacts, both logged in, and their direct conversation. */
export async function directPair(server: RunningServer): Promise<{ ann: ProtocolClient; ben: ProtocolClient; conv: string; ids: Record<string, string> }> {
  const ids = await seedUsers(server, ['ann', 'ben']);
  const { client: ann } = await loginAs(server, 'ann');
  const { client: ben } = await loginAs(server, 'ben');
  const conv = (await ann.call('CreateConversationCommand', { memberIds: [ids['ben']!] }, 'CreateConversationResponse')).conversation.id;
  return { ann, ben, conv, ids };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

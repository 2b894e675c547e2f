import type { UserPlan } from './ipc';

/**
 * Who talks to whom, independent of any server: users are numbered 0..n-1
 * and conversations are lists of member numbers. A target turns the shape
 * into real tokens and conversation ids (seeding the database for the real
 * server, inventing names for the in-memory baselines).
 */
export interface PopulationShape {
  users: number;
  conversations: number[][];
}

export interface SeededPopulation {
  tokens: string[];
  conversationIds: string[];
}

/** Users 2k and 2k+1 share a direct conversation. */
export function directPairs(users: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i + 1 < users; i += 2) out.push([i, i + 1]);
  return out;
}

/** Consecutive blocks of `size` users, each one group conversation. */
export function groupsOf(users: number, size: number): number[][] {
  const out: number[][] = [];
  for (let start = 0; start + size <= users; start += size) out.push(Array.from({ length: size }, (_, k) => start + k));
  return out;
}

export function buildPlans(shape: PopulationShape, seeded: SeededPopulation): UserPlan[] {
  const plans: UserPlan[] = Array.from({ length: shape.users }, (_, index) => ({ index, token: seeded.tokens[index]!, conversations: [] }));
  shape.conversations.forEach((members, c) => {
    for (const m of members) plans[m]!.conversations.push({ id: seeded.conversationIds[c]!, members: members.length });
  });
  return plans;
}

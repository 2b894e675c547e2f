import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ConversationsRepo } from './conversations-repo';
import { openDatabase } from './database';
import { Seeder } from './seed';

/**
 * The entry cache is bounded by the members it holds, not only by entries:
 * an entry costs about 100 bytes a member, so 50,000 cached groups of 500
 * would be 2.5 GB, and groups are what one user can make others touch.
 */
describe('conversation entry cache memory', () => {
  it('holds at most its member budget however many large groups are read', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const db = openDatabase(':memory:', 'normal');
    const seeder = new Seeder(db);
    const users = seeder.users(Array.from({ length: 500 }, (_, i) => ({ username: `member${i}`, passwordHash: 'x' })));
    const ids = Array.from({ length: 200 }, () => seeder.conversation({ memberIds: users, kind: 'group' }));
    // A budget of 10,000 members (about 1 MB); the groups hold 100,000 (about 10 MB cached).
    const repo = new ConversationsRepo(db, 10_000);
    gc();
    const before = process.memoryUsage().heapUsed;
    const read = ids.map((id) => repo.get(id));
    read.length = 0;
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(grown).toBeLessThan(4_000_000);
    // Evicted entries are read again from the database, whole.
    expect(repo.get(ids[0]!)?.memberIds).toHaveLength(500);
    db.close();
  });
});

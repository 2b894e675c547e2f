import { describe, expect, it } from 'vitest';
import { HashQueue } from './hash-queue';

/** A hash that finishes when the test says so. */
function gate(): { promise: Promise<string>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<string>((resolve) => (open = () => resolve('done')));
  return { promise, open };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('HashQueue', () => {
  it('never runs more than `concurrency` hashes, starts them first come first served, and refuses at once when full', async () => {
    const queue = new HashQueue({ concurrency: 2, maxWaiting: 5, perAddress: 100 });
    const gates = Array.from({ length: 7 }, () => gate());
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const jobs = gates.map((g, i) =>
      queue.run(`10.0.0.${i}`, async () => {
        started.push(i);
        most = Math.max(most, ++running);
        await g.promise;
        running--;
        return i;
      }),
    );
    expect(jobs.every((j) => j !== null)).toBe(true);
    expect(queue.run('10.0.1.1', async () => 'late')).toBeNull();
    await turn();
    expect([queue.inFlight, queue.queued]).toEqual([2, 5]);
    for (const g of gates) {
      g.open();
      await turn();
    }
    expect(await Promise.all(jobs)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(most).toBe(2);
    expect([queue.inFlight, queue.queued]).toEqual([0, 0]);
  });

  it('gives one address only its share, and frees a slot when a hash throws', async () => {
    const queue = new HashQueue({ concurrency: 1, maxWaiting: 10, perAddress: 2 });
    const g = gate();
    const first = queue.run('10.0.0.1', () => g.promise);
    const failing = queue.run('10.0.0.1', async () => {
      throw new Error('scrypt failed');
    });
    expect(queue.run('10.0.0.1', async () => 'third')).toBeNull();
    expect(queue.run('::ffff:10.0.0.1', async () => 'same address')).toBeNull();
    const other = queue.run('10.0.0.2', async () => 'other');
    g.open();
    expect(await first).toBe('done');
    await expect(failing).rejects.toThrow('scrypt failed');
    expect(await other).toBe('other');
    expect(await queue.run('10.0.0.1', async () => 'again')).toBe('again');
    expect(queue.expectedWaitMs).toBeGreaterThan(0);
  });
});

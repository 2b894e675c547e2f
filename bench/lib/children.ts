import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { killChildrenOnSignals, spawnNode, track } from '../../server/test/child-process';

/**
 * Every process a benchmark starts goes through server/test/child-process.ts:
 * its own process group, registered, so that normal exit, an error, Ctrl-C or
 * SIGTERM kills the whole tree it spawned and never leaves a server or a
 * worker behind. This file adds what only the benchmarks need: CPU pinning
 * and the generator's IPC workers.
 */
export { drainOutput, killAllChildren, stopChild, waitForOutput } from '../../server/test/child-process';

/**
 * CPU pinning (`--pin`): server-like children run on `targets`, generator
 * workers on `generator` (lists as taskset -c takes them, e.g. "0" and "1").
 * Children are started through `taskset -c`, so every thread they ever make
 * inherits the list; the coordinator (this process) is pinned with the generator.
 */
let pinning: { targets: string; generator: string } | null = null;

export function setPinning(p: { targets: string; generator: string } | null): void {
  pinning = p;
  if (p) execFileSync('taskset', ['-a', '-p', '-c', p.generator, String(process.pid)], { stdio: 'ignore' });
}

/** Starts `node --import tsx <script>` as a server-like child with piped output. */
export function spawnTsChild(script: string, args: string[], env: Record<string, string>, nodeFlags: string[] = []): ChildProcess {
  killChildrenOnSignals();
  return spawnNode(script, args, { env, nodeFlags, cpus: pinning?.targets });
}

/** Forks a TypeScript worker with an IPC channel. */
export function forkTsWorker(script: string, env: Record<string, string> = {}): ChildProcess {
  killChildrenOnSignals();
  const cpus = pinning?.generator;
  return track(
    // fork runs `execPath ...execArgv script`: through taskset when pinned (the IPC channel is inherited).
    fork(script, [], {
      execPath: cpus === undefined ? process.execPath : 'taskset',
      execArgv: [...(cpus === undefined ? [] : ['-c', cpus, process.execPath]), '--import', 'tsx'],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      detached: true,
    }),
  );
}

/** A free loopback TCP port, found by binding port 0 and releasing it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * Every process a benchmark starts is registered here and started in its own
 * process group, so that normal exit, an error, Ctrl-C or SIGTERM kills the
 * whole tree it spawned and never leaves a server or a worker behind.
 */
const live = new Set<ChildProcess>();
let hooksInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

export function killAllChildren(): void {
  for (const child of live) killGroup(child, 'SIGKILL');
  live.clear();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllChildren);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAllChildren();
      // Then behave as if we had not been listening: the default action ends the process.
      process.off(signal, onSignal);
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

function track(child: ChildProcess): ChildProcess {
  installHooks();
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

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

/** The command and leading arguments that start node, through taskset when pinned. */
function nodeCommand(cpus: string | undefined): { command: string; prefix: string[] } {
  return cpus === undefined ? { command: process.execPath, prefix: [] } : { command: 'taskset', prefix: ['-c', cpus, process.execPath] };
}

/** Starts `node --import tsx <script>` as a server-like child with piped output. */
export function spawnTsChild(script: string, args: string[], env: Record<string, string>, nodeFlags: string[] = []): ChildProcess {
  const { command, prefix } = nodeCommand(pinning?.targets);
  return track(
    spawn(command, [...prefix, ...nodeFlags, '--import', 'tsx', script, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    }),
  );
}

/** Forks a TypeScript worker with an IPC channel. */
export function forkTsWorker(script: string, env: Record<string, string> = {}): ChildProcess {
  const { command, prefix } = nodeCommand(pinning?.generator);
  return track(
    // fork runs `execPath ...execArgv script`: through taskset when pinned (the IPC channel is inherited).
    fork(script, [], {
      execPath: command,
      execArgv: [...prefix, '--import', 'tsx'],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      detached: true,
    }),
  );
}

/** Stops a child gently, then forcefully after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Resolves with the first stdout/stderr line matching `pattern`, or rejects on exit or timeout. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen = (seen + chunk.toString()).slice(-20_000);
      const match = pattern.exec(seen);
      if (match) finish(() => resolve(match));
    };
    const onExit = (code: number | null): void => finish(() => reject(new Error(`child exited (${code}) before ready:\n${seen.slice(-2000)}`)));
    const timer = setTimeout(() => finish(() => reject(new Error(`child not ready in ${timeoutMs} ms:\n${seen.slice(-2000)}`))), timeoutMs);
    function finish(done: () => void): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      done();
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Keeps a child's output drained (a full pipe would stall it) and keeps its tail for error reports. */
export function drainOutput(child: ChildProcess, keep: { tail: string }): void {
  const onData = (chunk: Buffer): void => {
    keep.tail = (keep.tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
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

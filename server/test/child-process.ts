import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/**
 * Node child processes for the e2e suites, the benchmarks and the fault
 * suites (the server, a baseline, a helper script). Each runs in its own
 * process group, so a kill reaches whatever it started, and is registered
 * here, so that the parent's exit (and, once `killChildrenOnSignals` ran, a
 * Ctrl-C or SIGTERM) never leaves one behind.
 */
export const REPO_ROOT = join(import.meta.dirname, '..', '..');

export interface SpawnNodeOptions {
  /** Node flags before `--import tsx` (e.g. --expose-gc, --cpu-prof). */
  nodeFlags?: string[];
  /** Added to the parent's environment. */
  env?: Record<string, string | undefined>;
  /** Opens an IPC channel as the fourth stdio. */
  ipc?: boolean;
  /** Runs the child as this user and group (needs root). */
  uid?: number;
  gid?: number;
  /** CPUs as `taskset -c` takes them ("0", "1-3"): the child and every thread it makes run there. */
  cpus?: string;
}

const live = new Set<ChildProcess>();
process.once('exit', killAllChildren);

/** `node [flags] --import tsx <script> <args>` from the repository root, stdout and stderr piped. */
export function spawnNode(script: string, args: string[], options: SpawnNodeOptions = {}): ChildProcess {
  const nodeArgs = [...(options.nodeFlags ?? []), '--import', 'tsx', script, ...args];
  const [command, commandArgs] = options.cpus === undefined ? [process.execPath, nodeArgs] : ['taskset', ['-c', options.cpus, process.execPath, ...nodeArgs]];
  const child = spawn(command, commandArgs, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    detached: true,
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid }),
  });
  return track(child);
}

/** Registers a child started elsewhere (a fork with IPC) so it is killed with the others. */
export function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Sends `signal` to the child's whole process group (to the child alone if it has none). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
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

/** Kills every registered child that still runs. */
export function killAllChildren(): void {
  for (const child of live) killGroup(child, 'SIGKILL');
  live.clear();
}

let signalHooks = false;

/**
 * For command-line tools (bench, reliability): Ctrl-C, SIGTERM and SIGHUP kill
 * the children first, then end this process as the signal would have. Test
 * runners handle their own signals and do not call this.
 */
export function killChildrenOnSignals(): void {
  if (signalHooks) return;
  signalHooks = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAllChildren();
      process.off(signal, onSignal);
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** Resolves when the child has exited (at once if it already has). */
export function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** SIGTERM to the group (a clean shutdown), SIGKILL after `graceMs`; resolves when it is gone. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  const exited = exitOf(child);
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Resolves with the first match of `pattern` in the child's stdout and stderr;
 * rejects when it exits or `timeoutMs` passes first, with the output's tail.
 */
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

/** Waits for the server's "listening on http://127.0.0.1:<port>" line. */
export async function waitForServerUrl(child: ChildProcess, timeoutMs: number): Promise<{ url: string; port: number }> {
  const match = await waitForOutput(child, /http:\/\/127\.0\.0\.1:(\d+)/, timeoutMs);
  return { url: match[0], port: Number(match[1]) };
}

/** Keeps a child's output drained (a full pipe would stall it), keeping the tail for error reports. */
export function drainOutput(child: ChildProcess, keep: { tail: string } = { tail: '' }): { tail: string } {
  const onData = (chunk: Buffer): void => {
    keep.tail = (keep.tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return keep;
}

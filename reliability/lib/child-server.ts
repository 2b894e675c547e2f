import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/**
 * The real server process, `node --import tsx server/main.ts --db <file>`,
 * in its own process group so a kill reaches everything it started.
 * `kill9()` is the crash; `start()` again on the same port is the restart.
 */
export const REPO_ROOT = join(import.meta.dirname, '..', '..');

export interface ChildServer {
  proc: ChildProcess;
  url: string;
  wsUrl: string;
  port: number;
  exited: Promise<number | null>;
  /** SIGKILL to the whole process group; resolves when the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM (clean shutdown), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface ChildOptions {
  dbPath: string;
  port?: number;
  /** Extra node flags before --import tsx (e.g. --expose-gc). */
  nodeFlags?: string[];
  /** Script to run instead of server/main.ts (relative to the repo root). */
  script?: string;
  args?: string[];
  env?: Record<string, string>;
  startTimeoutMs?: number;
  /** Opens an IPC channel (for the leak probe). */
  ipc?: boolean;
  /** Runs the server as this user and group (the disk suite's unprivileged server; needs root). */
  uid?: number;
  gid?: number;
}

const live = new Set<ChildProcess>();

function killGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    try {
      proc.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** Kills every child this module started that is still running (afterAll, finally, exit). */
export function killAllChildren(): void {
  for (const proc of live) killGroup(proc, 'SIGKILL');
  live.clear();
}
process.once('exit', killAllChildren);

export function startChild(options: ChildOptions): Promise<ChildServer> {
  const script = options.script ?? 'server/main.ts';
  const args = [
    ...(options.nodeFlags ?? []),
    '--import',
    'tsx',
    script,
    '--port',
    String(options.port ?? 0),
    '--host',
    '127.0.0.1',
    '--db',
    options.dbPath,
    ...(options.args ?? []),
  ];
  const proc = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'silent', VITEST: '', ...options.env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    detached: true,
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid }),
  });
  live.add(proc);
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => {
      live.delete(proc);
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      killGroup(proc, 'SIGKILL');
      reject(new Error(`server printed no URL within ${options.startTimeoutMs ?? 20_000} ms:\n${output}`));
    }, options.startTimeoutMs ?? 20_000);
    proc.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        const port = Number(match[1]);
        resolve({
          proc,
          url: match[0],
          wsUrl: `ws://127.0.0.1:${port}/ws`,
          port,
          exited,
          kill9: async () => {
            killGroup(proc, 'SIGKILL');
            await exited;
          },
          stop: async (graceMs = 5000) => {
            killGroup(proc, 'SIGTERM');
            const t = setTimeout(() => killGroup(proc, 'SIGKILL'), graceMs);
            await exited;
            clearTimeout(t);
          },
        });
      }
    });
    proc.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });
}

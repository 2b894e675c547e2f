import type { ChildProcess } from 'node:child_process';
import { exitOf, killGroup, REPO_ROOT, spawnNode, waitForServerUrl } from '../../server/test/child-process';

export { killAllChildren, REPO_ROOT } from '../../server/test/child-process';

/**
 * The real server process, `node --import tsx server/main.ts --db <file>`,
 * in its own process group so a kill reaches everything it started
 * (server/test/child-process.ts). `kill9()` is the crash; `start()` again on
 * the same port is the restart.
 */
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

export async function startChild(options: ChildOptions): Promise<ChildServer> {
  const args = ['--port', String(options.port ?? 0), '--host', '127.0.0.1', '--db', options.dbPath, ...(options.args ?? [])];
  const proc = spawnNode(options.script ?? 'server/main.ts', args, {
    nodeFlags: options.nodeFlags,
    env: { LOG_LEVEL: 'silent', VITEST: '', ...options.env },
    ipc: options.ipc,
    uid: options.uid,
    gid: options.gid,
  });
  const exited = exitOf(proc);
  let url: string;
  let port: number;
  try {
    ({ url, port } = await waitForServerUrl(proc, options.startTimeoutMs ?? 20_000));
  } catch (error) {
    killGroup(proc, 'SIGKILL');
    // The disk suite tells a refusal to start ("before listening") from a hang by these words.
    const output = (error as Error).message.replace(/^[^\n]*\n/, '');
    const exitedFirst = proc.exitCode !== null || proc.signalCode !== null;
    throw new Error(exitedFirst ? `server exited with ${proc.exitCode} before listening:\n${output}` : `server printed no URL within ${options.startTimeoutMs ?? 20_000} ms:\n${output}`);
  }
  // Keep the pipes drained: a chatty server must never block on a full pipe.
  proc.stdout?.resume();
  proc.stderr?.resume();
  return {
    proc,
    url,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    port,
    exited,
    kill9: async () => {
      killGroup(proc, 'SIGKILL');
      await exited;
    },
    stop: async (graceMs = 5000) => {
      killGroup(proc, 'SIGTERM');
      const timer = setTimeout(() => killGroup(proc, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

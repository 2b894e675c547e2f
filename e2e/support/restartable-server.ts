import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killGroup, spawnNode, stopChild, waitForServerUrl } from '../../server/test/child-process';

/**
 * A server of its own for one test, with its database in a file so it can be
 * stopped for real (the browser sees connection refused, not a paused
 * socket) and started again on the same port (same origin: the service
 * worker and the stored data still apply) with the same data.
 *
 * Mock mode seeds the demo users into an empty file and keeps the data of a
 * file that has some, so every start is `--mock --db <file>` and the test
 * controls stay available. Stop it in a `finally` or an afterEach.
 */
export class RestartableServer {
  private child: ChildProcess | null = null;
  private port = 0;
  private readonly dir = mkdtempSync(join(tmpdir(), 'tidings-e2e-'));
  readonly dbPath = join(this.dir, 'tidings.db');
  url = '';

  get wsUrl(): string {
    return this.url.replace(/^http/, 'ws') + '/ws';
  }

  /** `distDir`: serve a copy of the built app (a test that deploys a "new version" edits its copy, never dist/). */
  static async start(options: { distDir?: string } = {}): Promise<RestartableServer> {
    const server = new RestartableServer(options.distDir);
    await server.spawn();
    return server;
  }

  private constructor(private readonly distDir?: string) {}

  /** Starts it again after `stop()`, on the same port, with the same database. */
  async restart(): Promise<void> {
    if (this.child) throw new Error('the server is still running; stop it first');
    await this.spawn();
  }

  /** SIGTERM (the server closes sockets with 1001 and flushes), SIGKILL after 5 s. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child) await stopChild(child, 5000);
  }

  /** Stops it and deletes the database. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async spawn(timeoutMs = 30_000): Promise<void> {
    const child = spawnNode('server/main.ts', ['--mock', '--port', String(this.port), '--db', this.dbPath], {
      env: { NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...(this.distDir ? { DIST_DIR: this.distDir } : {}) },
    });
    try {
      ({ url: this.url, port: this.port } = await waitForServerUrl(child, timeoutMs));
    } catch (error) {
      killGroup(child, 'SIGKILL');
      throw error;
    }
    // Keep the pipes drained: a chatty server must never block on a full pipe.
    child.stdout?.resume();
    child.stderr?.resume();
    this.child = child;
  }
}

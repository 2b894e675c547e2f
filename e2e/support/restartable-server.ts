import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  /** Stops it and deletes the database. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async spawn(timeoutMs = 30_000): Promise<void> {
    const args = ['--import', 'tsx', 'server/main.ts', '--mock', '--port', String(this.port), '--db', this.dbPath];
    const child = spawn(process.execPath, args, {
      cwd: process.cwd(),
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...(this.distDir ? { DIST_DIR: this.distDir } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`server printed no URL within ${timeoutMs} ms:\n${output}`));
      }, timeoutMs);
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /http:\/\/127\.0\.0\.1:\d+/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[0]);
        }
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code} before printing its URL:\n${output}`));
      });
    });
    child.stdout?.resume();
    child.stderr?.resume();
    this.child = child;
    this.url = url;
    this.port = Number(new URL(url).port);
  }
}

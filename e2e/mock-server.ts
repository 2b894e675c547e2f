import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * One server in mock mode (fixed demo data, in-memory database, test-only
 * controls), started on a free loopback port for one Playwright worker.
 */
export class MockServer {
  private constructor(private readonly child: ChildProcess, readonly url: string) {}

  /** Spawns `server/main.ts --mock --port 0` and resolves with the URL it prints. */
  static async start(timeoutMs = 30_000): Promise<MockServer> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--mock', '--port', '0'], {
      cwd: process.cwd(),
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`mock server printed no URL within ${timeoutMs} ms:\n${output}`)), timeoutMs);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /http:\/\/127\.0\.0\.1:\d+/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[0]);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`mock server exited with ${code} before printing its URL:\n${output}`));
      });
    });
    // Keep draining output so a chatty server never blocks on a full pipe.
    child.stdout?.resume();
    child.stderr?.resume();
    return new MockServer(child, url);
  }

  /** POSTs a test-only control: `reset`, `drop`, `pause?ms=N`. */
  async control(name: string): Promise<void> {
    const response = await fetch(`${this.url}/__test__/${name}`, { method: 'POST' });
    if (!response.ok) throw new Error(`POST /__test__/${name} answered ${response.status}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

import type { ChildProcess } from 'node:child_process';
import { killGroup, spawnNode, stopChild, waitForServerUrl } from '../server/test/child-process';

/**
 * One server in mock mode (fixed demo data, in-memory database, test-only
 * controls), started on a free loopback port for one Playwright worker.
 */
export class MockServer {
  private constructor(private readonly child: ChildProcess, readonly url: string) {}

  /** Spawns `server/main.ts --mock --port 0` and resolves with the URL it prints. */
  static async start(timeoutMs = 30_000): Promise<MockServer> {
    const child = spawnNode('server/main.ts', ['--mock', '--port', '0'], {
      env: { NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    });
    try {
      const { url } = await waitForServerUrl(child, timeoutMs);
      // Keep the pipes drained: a chatty server must never block on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
      return new MockServer(child, url);
    } catch (error) {
      killGroup(child, 'SIGKILL');
      throw new Error(`the mock server did not start: ${(error as Error).message}`);
    }
  }

  /** POSTs a test-only control: `reset`, `drop`, `pause?ms=N`. */
  async control(name: string): Promise<void> {
    const response = await fetch(`${this.url}/__test__/${name}`, { method: 'POST' });
    if (!response.ok) throw new Error(`POST /__test__/${name} answered ${response.status}`);
  }

  async stop(): Promise<void> {
    await stopChild(this.child, 5000);
  }
}

import type { ServerResponse } from 'node:http';
import type { Storage } from '../storage/storage';
import { setCommonHeaders } from './security-headers';

/**
 * Whether the database can take a write, asked of it at most once per
 * `cacheMs`: the probe writes (storage.probeWrite), and /healthz is open to
 * anyone, so a probe per request let any client fill the WAL (3,000 GETs in
 * half a second: +118 MiB). Every answer within the period reuses the last
 * result, a failure included, so a failing disk shows within one period.
 */
export class DatabaseHealth {
  private checkedAt = -Infinity;
  private problem: string | null = null;

  constructor(
    private readonly storage: Storage,
    private readonly cacheMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** null when writable, else what is wrong. */
  check(): string | null {
    const now = this.now();
    if (now - this.checkedAt < this.cacheMs) return this.problem;
    this.checkedAt = now;
    try {
      this.storage.probeWrite();
      this.problem = null;
    } catch {
      this.problem = 'database is not writable';
    }
    return this.problem;
  }
}

/** GET /healthz: 200 while sockets are accepted and the database takes writes, else 503. */
export function serveHealth(res: ServerResponse, accepting: boolean, database: DatabaseHealth): void {
  const problem = accepting ? database.check() : 'not accepting connections';
  setCommonHeaders(res);
  res.writeHead(problem ? 503 : 200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(problem ? `unhealthy: ${problem}\n` : 'ok\n');
}

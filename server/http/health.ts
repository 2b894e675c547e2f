import type { ServerResponse } from 'node:http';
import type { Storage } from '../storage/storage';
import { setCommonHeaders } from './security-headers';

/** GET /healthz: 200 while sockets are accepted and a database write commits, else 503. */
export function serveHealth(res: ServerResponse, accepting: boolean, storage: Storage): void {
  let problem: string | null = accepting ? null : 'not accepting connections';
  if (!problem) {
    try {
      storage.probeWrite();
    } catch {
      problem = 'database is not writable';
    }
  }
  setCommonHeaders(res);
  res.writeHead(problem ? 503 : 200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(problem ? `unhealthy: ${problem}\n` : 'ok\n');
}

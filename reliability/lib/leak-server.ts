import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startServer } from '../../server/app';

/**
 * The server for the leak suite: the real server in a child process run with
 * --expose-gc, answering `measure` over IPC with its heap after forced
 * garbage collection, its active handles and its open file descriptors.
 * Test-only: the server itself has no way to force a GC.
 */
const { values } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string' }, db: { type: 'string' } }, strict: false });
const server = await startServer({ port: Number(values.port ?? 0), host: String(values.host ?? '127.0.0.1'), dbPath: String(values.db), logLevel: 'silent' });
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

process.on('message', (message: unknown) => {
  if (message !== 'measure') return;
  for (let i = 0; i < 4; i++) gc();
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
  process.send!({
    heapUsed: process.memoryUsage().heapUsed,
    rss: process.memoryUsage().rss,
    handles,
    fds: readdirSync('/proc/self/fd').length,
    connections: server.connectionCount(),
  });
});
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
process.stdout.write(`listening on ${server.url}\n`);

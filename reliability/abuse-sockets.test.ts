import { afterAll, describe, expect, it } from 'vitest';
import { killAllChildren } from './lib/child-server';
import { ABUSE_SOCKETS_SIZES, runAbuseSockets } from './suites/abuse-sockets';

afterAll(() => killAllChildren());

describe('abuse-sockets: clients that do not read, do not log in, or open too many sockets', () => {
  it('are cut or refused while the server stays bounded and a well-behaved client is served', async () => {
    const report = await runAbuseSockets(ABUSE_SOCKETS_SIZES.ci, (line) => console.info(line));
    for (const row of report.rows) expect({ check: row.check, failures: row.failures }).toEqual({ check: row.check, failures: [] });
  }, 120_000);
});

import { parseArgs } from 'node:util';
import { killAllChildren } from './lib/child-server';
import { pickSeed } from './lib/random';
import { writeResult, type Report } from './lib/results';
import { ABUSE_AUTH_SIZES, runAbuseAuth } from './suites/abuse-auth';
import { FANOUT_SIZES, runFanout } from './suites/abuse-fanout';
import { ABUSE_DATA_SIZES, runAbuseData } from './suites/abuse-data';
import { ABUSE_HTTP_SIZES, runAbuseHttp } from './suites/abuse-http';
import { ABUSE_SOCKETS_SIZES, runAbuseSockets } from './suites/abuse-sockets';
import { AUTHZ_SIZES, runAuthz } from './suites/authz';
import { CRASH_SIZES, runCrash } from './suites/crash';
import { DISK_SIZES, runDisk } from './suites/disk';
import { FUZZ_SIZES, runFuzz } from './suites/fuzz';
import { LEAK_SIZES, runLeaks } from './suites/leaks';
import { NETWORK_SIZES, runNetwork } from './suites/network';
import { SECURITY_SIZES, runSecurity } from './suites/security';

/**
 * The reliability suites on demand: the same code the CI tests run
 * (reliability/*.test.ts), at CI size or --long, writing figures to
 * reliability/results/<suite>.json.
 */
type Size = 'ci' | 'long';
const SUITES: Record<string, { about: string; run(size: Size, seed: number, log: (l: string) => void): Promise<Report> }> = {
  crash: { about: 'kill -9 and restart the server process while clients write', run: (s, seed, log) => runCrash(CRASH_SIZES[s], seed, log) },
  network: { about: 'client cores through a proxy that cuts, stalls and delays', run: (s, seed, log) => runNetwork(NETWORK_SIZES[s], seed, log) },
  disk: { about: 'full disk (tmpfs) and unwritable directory: refusals, /healthz, recovery', run: (s, _seed, log) => runDisk(DISK_SIZES[s], log) },
  leaks: { about: 'connect/login/subscribe/disconnect cycles: heap, handles, fds', run: (s, _seed, log) => runLeaks(LEAK_SIZES[s], log) },
  fuzz: { about: 'bad input over the socket gateway (fast-check)', run: (s, seed, log) => runFuzz(FUZZ_SIZES[s], seed, log) },
  authz: { about: 'authorization matrix: nobody, outsider, member', run: (s, _seed, log) => runAuthz(AUTHZ_SIZES[s], log) },
  'abuse-auth': { about: 'login, sign-up and hashing under attack: races, lockouts, sprays, floods', run: (s, _seed, log) => runAbuseAuth(ABUSE_AUTH_SIZES[s], log) },
  'abuse-fanout': { about: 'what one member on many sockets makes others receive: typing, receipts, presence, resubscribes', run: (s, _seed, log) => runFanout(FANOUT_SIZES[s], log) },
  'abuse-sockets': { about: 'sockets that do not read, never log in, flood upgrades or control frames, or crowd one account', run: (s, _seed, log) => runAbuseSockets(ABUSE_SOCKETS_SIZES[s], log) },
  security: { about: 'tokens, session expiry, logout, origins, headers', run: (s, _seed, log) => runSecurity(SECURITY_SIZES[s], log) },
  'abuse-data': { about: 'malformed strings, reply sizes, group and contact floods, non-readers', run: (s, seed, log) => runAbuseData(ABUSE_DATA_SIZES[s], seed, log) },
  'abuse-http': { about: 'HTTP without an account: cut-off downloads, /healthz floods, slow requests, cross-site actions', run: (s, _seed, log) => runAbuseHttp(ABUSE_HTTP_SIZES[s], log) },
};

const HELP = `Tidings reliability suites.

Usage: node --import tsx reliability/cli.ts <suite|all> [--long] [--seed N] [--help]

Suites:
${Object.entries(SUITES)
  .map(([name, s]) => `  ${name.padEnd(9)} ${s.about}`)
  .join('\n')}

  --long     the long version (CI size otherwise)
  --seed N   replay a run of the seeded suites (crash, network, fuzz); also RELIABILITY_SEED
Figures go to reliability/results/<suite>.json; the exit code is 1 when anything was lost or let through.
`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ options: { long: { type: 'boolean' }, seed: { type: 'string' }, help: { type: 'boolean' } }, allowPositionals: true });
  const name = positionals[0];
  if (values.help || !name) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  const names = name === 'all' ? Object.keys(SUITES) : [name];
  if (names.some((n) => !SUITES[n])) {
    process.stderr.write(`unknown suite ${name}\n\n${HELP}`);
    return 2;
  }
  const size: Size = values.long ? 'long' : 'ci';
  let bad = 0;
  for (const n of names) {
    const seed = pickSeed(values.seed === undefined ? undefined : Number(values.seed));
    process.stdout.write(`${n} (${size}), seed ${seed}\n`);
    const report = await SUITES[n]!.run(size, seed, (line) => process.stdout.write(`  ${line}\n`));
    const result = report.result();
    const file = writeResult(result);
    for (const row of result.rows) {
      bad += row.bad;
      process.stdout.write(`  ${row.bad === 0 ? 'ok  ' : 'FAIL'} ${row.check}: ${row.count} tried, ${row.bad} bad${row.figures ? ` ${JSON.stringify(row.figures)}` : ''}\n`);
      for (const f of row.failures) process.stdout.write(`       ${f}\n`);
    }
    process.stdout.write(`  ${Math.round(result.durationMs / 1000)} s, written to ${file}\n`);
  }
  return bad === 0 ? 0 : 1;
}

main().then(
  (code) => {
    killAllChildren();
    process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    killAllChildren();
    process.exit(1);
  },
);

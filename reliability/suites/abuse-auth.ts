import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../server/app';
import type { ServerLimits, ServerOptions } from '../../server/config';
import { CHEAP_SCRYPT, TEST_PASSWORD, testPasswordHash } from '../../server/test/harness';
import { AddressSocket, outcomeOf, tally, type Reply } from '../lib/address-socket';
import { REPO_ROOT } from '../lib/child-server';
import { Report } from '../lib/results';
import { sleep } from '../lib/wait';

/**
 * Login, sign-up and password hashing tried as an attacker would, from many
 * sockets and many loopback addresses at once, mostly with no account:
 * guesses raced in parallel, a stranger trying to lock the owner out, a
 * spray over many usernames, a distributed run on one username, sign-ups
 * from one address and from many, random token guesses, password logins
 * piling up sessions, one account keeping the password checks busy, and a
 * flood of hashes while a static file and a ping wait.
 */
export interface AbuseAuthSize {
  /** Parallel wrong passwords for one username, one socket each. */
  raceSockets: number;
  /** Sequential wrong passwords by one stranger for the owner's username. */
  strangerGuesses: number;
  /** Guesses from one address, round-robin over `sprayUsernames`. */
  sprayGuesses: number;
  sprayUsernames: number;
  /** Addresses guessing one username, each staying under the per-pair allowance. */
  distributedAddresses: number;
  /** Logins sent at once to a server with a real scrypt cost. */
  hashLogins: number;
  /** Sign-ups from one address. */
  accountsTried: number;
  /** Addresses making one sign-up each. */
  signupAddresses: number;
  /** Random session tokens tried from one address. */
  tokenGuesses: number;
  /** Password logins of one user. */
  sessionLogins: number;
  /** Addresses logging in to one account by password, 5 sockets each, all at once. */
  accountAddresses: number;
}

export const ABUSE_AUTH_SIZES: Record<'ci' | 'long', AbuseAuthSize> = {
  ci: { raceSockets: 40, strangerGuesses: 30, sprayGuesses: 120, sprayUsernames: 30, distributedAddresses: 12, hashLogins: 14, accountsTried: 15, signupAddresses: 30, tokenGuesses: 150, sessionLogins: 25, accountAddresses: 8 },
  long: { raceSockets: 300, strangerGuesses: 500, sprayGuesses: 2000, sprayUsernames: 400, distributedAddresses: 120, hashLogins: 60, accountsTried: 300, signupAddresses: 240, tokenGuesses: 5000, sessionLogins: 300, accountAddresses: 60 },
};

/** The suite's limits: the defaults' shape, smaller where a CI run must reach them quickly. */
const LIMITS: Partial<ServerLimits> = {
  loginFailuresAllowed: 5,
  loginDelayBaseMs: 200,
  loginFailuresPerAddress: 20,
  loginFailuresPerUsername: 20,
  passwordLoginsPerUsername: 20,
  tokenLoginFailuresPerAddress: 30,
  accountCreationsPerAddress: 10,
  accountCreationsTotal: 25,
  passwordHashConcurrency: 2,
  passwordHashQueue: 8,
  passwordHashQueuePerAddress: 4,
  sessionsPerUser: 10,
};
const PASS = 'long enough password';

/**
 * Guesses of one (username, address) the backoff lets through in
 * `elapsedMs`: the free ones, one more after each wait that fits (waits
 * base, 2 base, 4 base ...), plus one for a wait ending as the run ends.
 * A slow run is allowed more, never less, so load cannot fail the check.
 */
function allowedBy(elapsedMs: number): number {
  const waits = Math.floor(Math.log2(elapsedMs / LIMITS.loginDelayBaseMs! + 1));
  return LIMITS.loginFailuresAllowed! + waits + 1;
}

async function serve(options: ServerOptions = {}): Promise<RunningServer> {
  // The socket caps per address belong to another suite (abuse-sockets): here one address opens
  // dozens of sockets at once to race the throttle, which those caps would refuse first.
  return startServer({
    port: 0,
    dbPath: ':memory:',
    logLevel: 'silent',
    scrypt: CHEAP_SCRYPT,
    distDir: join(REPO_ROOT, 'dist'),
    limits: LIMITS,
    maxSocketsPerAddress: 0,
    maxPendingSocketsPerAddress: 0,
    ...options,
  });
}

export async function runAbuseAuth(size: AbuseAuthSize, log: (line: string) => void = () => {}): Promise<Report> {
  const report = new Report('abuse-auth', size === ABUSE_AUTH_SIZES.long ? 'long' : 'ci', null, log);
  const socks: AddressSocket[] = [];
  const servers: RunningServer[] = [];
  try {
    const s = await serve();
    servers.push(s);
    const hash = await testPasswordHash();
    s.seeder.users(['victim', 'owner', 'bystander', 'celebrity', 'regular'].map((username) => ({ username, passwordHash: hash })));
    const open = async (address: string, url = s.wsUrl): Promise<AddressSocket> => {
      const sock = await AddressSocket.registered(url, address);
      socks.push(sock);
      return sock;
    };
    const right = (username: string): Record<string, unknown> => ({ username, password: TEST_PASSWORD });
    const wrong = (username: string, i: number): Record<string, unknown> => ({ username, password: `guess-${i}-xxxx` });

    // Parallel guesses: every attempt is counted when it starts, so a burst
    // of sockets cannot all slip past the check while the first are hashing.
    const race = report.row('parallel guesses race the throttle', `${size.raceSockets} wrong passwords for one username at once, one socket each, from one address: at most ${LIMITS.loginFailuresAllowed} evaluated, plus one per backoff wait that passed meanwhile`);
    {
      const racers = await Promise.all(Array.from({ length: size.raceSockets }, () => open('127.0.0.2')));
      const started = Date.now();
      const outcomes = (await Promise.all(racers.map((r, i) => r.login(wrong('victim', i))))).map(outcomeOf);
      const allowed = allowedBy(Date.now() - started);
      race.count = outcomes.length;
      race.figures = { ...tally(outcomes), allowedByTheSchedule: allowed };
      const evaluated = outcomes.filter((o) => o === 'BAD_CREDENTIALS').length;
      if (evaluated > allowed) report.fail(race, `${evaluated} guesses evaluated, the schedule allows ${allowed}`);
      if (outcomes.includes('LOGGED_IN')) report.fail(race, 'a guess logged in');
      for (const r of racers) r.close();
    }

    // A stranger's guesses slow down the stranger, not the owner elsewhere.
    const lockout = report.row('a stranger cannot lock the owner out', `${size.strangerGuesses} wrong passwords for one username from one address; then the owner from another address; the stranger's THROTTLED answers carry a retry time that grows`);
    {
      const stranger = await open('127.0.0.3');
      const hints: number[] = [];
      const outcomes: string[] = [];
      const started = Date.now();
      for (let i = 0; i < size.strangerGuesses; i++) {
        const reply = await stranger.login(wrong('owner', i));
        outcomes.push(outcomeOf(reply));
        const hint = reply.payload['retryAfterMs'];
        if (outcomeOf(reply) === 'THROTTLED') {
          if (typeof hint !== 'number' || !Number.isInteger(hint) || hint <= 0) report.fail(lockout, `THROTTLED without a usable retryAfterMs: ${JSON.stringify(reply.payload)}`);
          else hints.push(hint);
        }
      }
      const allowed = allowedBy(Date.now() - started);
      lockout.count = outcomes.length;
      // A fresh hint (the run's last answers may be the per-socket rate limit's, hiding a newer wait).
      let probe = await stranger.login(wrong('owner', -100));
      for (let tries = 1; outcomeOf(probe) !== 'THROTTLED' && tries < 50; tries++) {
        await sleep(100);
        probe = await stranger.login(wrong('owner', -100 - tries));
      }
      // Waiting out the hint gets one more evaluated guess, and a longer wait after it.
      const firstHint = Number(probe.payload['retryAfterMs'] ?? 0);
      await sleep(firstHint + 50);
      const after = await stranger.login(wrong('owner', -1));
      const next = await stranger.login(wrong('owner', -2));
      const nextHint = Number(next.payload['retryAfterMs'] ?? 0);
      if (outcomeOf(after) !== 'BAD_CREDENTIALS') report.fail(lockout, `a guess after the hinted wait answered ${outcomeOf(after)}`);
      if (outcomeOf(next) !== 'THROTTLED' || !(nextHint > firstHint)) report.fail(lockout, `the delay did not grow: ${firstHint} ms then ${JSON.stringify(next.payload)}`);
      const owner = await open('127.0.0.4');
      const ownerLogin = outcomeOf(await owner.login(right('OWNER')));
      lockout.figures = { ...tally(outcomes), allowedByTheSchedule: allowed, firstRetryAfterMs: firstHint, nextRetryAfterMs: nextHint, ownerFromOwnAddress: ownerLogin };
      if (ownerLogin !== 'LOGGED_IN') report.fail(lockout, `the owner from another address answered ${ownerLogin}`);
      const evaluated = outcomes.filter((o) => o === 'BAD_CREDENTIALS').length;
      if (evaluated > allowed) report.fail(lockout, `${evaluated} guesses evaluated, the schedule allows ${allowed}`);
    }

    // One address spraying many usernames, each below the per-pair allowance.
    const spray = report.row('a spray over many usernames is slowed', `${size.sprayGuesses} wrong passwords round-robin over ${size.sprayUsernames} usernames from one address on 4 sockets: at most ${LIMITS.loginFailuresPerAddress} evaluated; another address unaffected`);
    {
      const sprayers = await Promise.all(Array.from({ length: 4 }, () => open('127.0.0.5')));
      const outcomes: string[] = [];
      for (let i = 0; i < size.sprayGuesses; i += sprayers.length) {
        const round = await Promise.all(sprayers.map((sock, k) => sock.login(wrong(`user-${(i + k) % size.sprayUsernames}`, i + k))));
        outcomes.push(...round.map(outcomeOf));
      }
      spray.count = outcomes.length;
      const other = outcomeOf(await (await open('127.0.0.6')).login(right('bystander')));
      spray.figures = { ...tally(outcomes), otherAddress: other };
      const evaluated = outcomes.filter((o) => o === 'BAD_CREDENTIALS').length;
      if (evaluated > LIMITS.loginFailuresPerAddress!) report.fail(spray, `${evaluated} guesses evaluated from one address`);
      if (other !== 'LOGGED_IN') report.fail(spray, `another address answered ${other}`);
    }

    // Many addresses on one username: a ceiling per username, which the
    // owner's own (recently successful) address does not hit.
    const distributed = report.row('a distributed run on one username is capped, the owner still logs in', `${size.distributedAddresses} addresses x ${LIMITS.loginFailuresAllowed! - 1} wrong passwords for one username: at most ${LIMITS.loginFailuresPerUsername} evaluated; the owner from the address it logged in from before still logs in`);
    {
      const home = await open('127.0.1.1');
      if (outcomeOf(await home.login(right('celebrity'))) !== 'LOGGED_IN') report.fail(distributed, 'the owner could not log in before the attack');
      const outcomes: string[] = [];
      for (let a = 0; a < size.distributedAddresses; a++) {
        const sock = await open(`127.0.${2 + Math.floor(a / 250)}.${(a % 250) + 1}`);
        for (let k = 0; k < LIMITS.loginFailuresAllowed! - 1; k++) outcomes.push(outcomeOf(await sock.login(wrong('celebrity', a * 10 + k))));
        sock.close();
      }
      distributed.count = outcomes.length;
      const ownerAgain = outcomeOf(await home.login(right('celebrity')));
      const newcomer = outcomeOf(await (await open('127.0.9.1')).login(right('celebrity')));
      distributed.figures = { ...tally(outcomes), ownerFromKnownAddress: ownerAgain, rightPasswordFromNewAddress: newcomer };
      const evaluated = outcomes.filter((o) => o === 'BAD_CREDENTIALS').length;
      if (evaluated > LIMITS.loginFailuresPerUsername!) report.fail(distributed, `${evaluated} guesses evaluated for one username`);
      if (ownerAgain !== 'LOGGED_IN') report.fail(distributed, `the owner from its own address answered ${ownerAgain}`);
    }

    // Sign-ups: a budget per address, across that address's sockets.
    const accounts = report.row('sign-ups are capped per address', `${size.accountsTried} sign-ups on one socket, then ${size.accountsTried} on 5 sockets of another address at once: at most ${LIMITS.accountCreationsPerAddress} created per address, the rest RATE_LIMITED; a third address still signs up`);
    {
      const one = await open('127.0.5.1');
      const serial: string[] = [];
      for (let i = 0; i < size.accountsTried; i++) {
        serial.push(outcomeOf(await one.call('AccountCreateCommand', { userInformation: { username: `serial-${i}`, password: PASS } })));
      }
      const five = await Promise.all(Array.from({ length: 5 }, () => open('127.0.5.2')));
      const parallel = (
        await Promise.all(
          Array.from({ length: size.accountsTried }, (_, i) => five[i % 5]!.call('AccountCreateCommand', { userInformation: { username: `parallel-${i}`, password: PASS } })),
        )
      ).map(outcomeOf);
      const third = outcomeOf(await (await open('127.0.5.3')).call('AccountCreateCommand', { userInformation: { username: 'third-address', password: PASS } }));
      accounts.count = serial.length + parallel.length;
      const created = (xs: string[]): number => xs.filter((o) => o === 'CREATED').length;
      accounts.figures = { serialCreated: created(serial), parallelCreated: created(parallel), thirdAddress: third, ...tally([...serial, ...parallel]) };
      if (created(serial) > LIMITS.accountCreationsPerAddress!) report.fail(accounts, `one socket created ${created(serial)} accounts`);
      if (created(parallel) > LIMITS.accountCreationsPerAddress!) report.fail(accounts, `5 sockets of one address created ${created(parallel)} accounts`);
      const other = [...serial, ...parallel].filter((o) => o !== 'CREATED' && o !== 'RATE_LIMITED');
      if (other.length) report.fail(accounts, `unexpected answers ${JSON.stringify(tally(other))}`);
      if (third !== 'CREATED') report.fail(accounts, `a third address answered ${third}`);
    }

    // Many addresses, one sign-up each: the ceiling over all addresses keeps the disk from filling with accounts.
    const spread = report.row('sign-ups over many addresses are capped in total', `${size.signupAddresses} addresses, one sign-up each, after the sign-ups above: at most ${LIMITS.accountCreationsTotal} accounts created in all, the rest RATE_LIMITED`);
    {
      const seeded = s.db.prepare('SELECT COUNT(*) FROM users').pluck().get() as number;
      const outcomes: string[] = [];
      for (let a = 0; a < size.signupAddresses; a++) {
        const sock = await open(`127.0.12.${a + 1}`);
        outcomes.push(outcomeOf(await sock.call('AccountCreateCommand', { userInformation: { username: `spread-${a}`, password: PASS } })));
        sock.close();
      }
      spread.count = outcomes.length;
      const total = (s.db.prepare('SELECT COUNT(*) FROM users').pluck().get() as number) - 5;
      spread.figures = { ...tally(outcomes), accountsCreatedInAll: total, createdBefore: seeded - 5 };
      if (total > LIMITS.accountCreationsTotal!) report.fail(spread, `${total} accounts created in all`);
      if (outcomes.some((o) => o !== 'CREATED' && o !== 'RATE_LIMITED')) report.fail(spread, `unexpected answers ${JSON.stringify(tally(outcomes))}`);
    }

    // Token guesses: 256 random bits cannot be guessed, but each costs a
    // lookup, so failures are capped per address like passwords.
    const tokens = report.row('token guesses are capped per address', `${size.tokenGuesses} random tokens from one address over 3 sockets: at most ${LIMITS.tokenLoginFailuresPerAddress} looked up, the rest THROTTLED; a real token from another address still logs in`);
    {
      const guessers = await Promise.all(Array.from({ length: 3 }, () => open('127.0.6.1')));
      const outcomes: string[] = [];
      for (let i = 0; i < size.tokenGuesses; i += guessers.length) {
        const round = await Promise.all(guessers.map((g) => g.login({ sessionToken: randomBytes(32).toString('base64url') })));
        outcomes.push(...round.map(outcomeOf));
      }
      tokens.count = outcomes.length;
      const real = await (await open('127.0.6.2')).login(right('regular'));
      const resumed = outcomeOf(await (await open('127.0.6.3')).login({ sessionToken: String(real.payload['sessionToken']) }));
      tokens.figures = { ...tally(outcomes), realTokenElsewhere: resumed };
      const looked = outcomes.filter((o) => o === 'SESSION_EXPIRED').length;
      if (looked > LIMITS.tokenLoginFailuresPerAddress!) report.fail(tokens, `${looked} token guesses looked up`);
      if (outcomes.includes('LOGGED_IN')) report.fail(tokens, 'a random token logged in');
      if (resumed !== 'LOGGED_IN') report.fail(tokens, `a real token from another address answered ${resumed}`);
    }

    // Every password login makes a session row; one account must not fill the disk with them.
    const sessions = report.row('sessions per user are capped', `${size.sessionLogins} password logins of one user on one socket: at most ${LIMITS.sessionsPerUser} sessions stored, the newest kept`);
    {
      const sock = await open('127.0.7.1');
      const got: Reply[] = [];
      for (let i = 0; i < size.sessionLogins; i++) got.push(await sock.login(right('regular')));
      sessions.count = got.length;
      // Fast logins on one socket also meet the per-socket rate limit (RATE_LIMITED); the newest session is the last that logged in.
      const newest = got.filter((r) => outcomeOf(r) === 'LOGGED_IN').pop();
      const userId = String((newest?.payload['user'] as { id?: string } | undefined)?.id);
      const stored = s.db.prepare('SELECT COUNT(*) FROM sessions WHERE user_id = ?').pluck().get(userId) as number;
      const last = await (await open('127.0.7.2')).login({ sessionToken: String(newest?.payload['sessionToken']) });
      sessions.figures = { storedSessions: stored, ...tally(got.map(outcomeOf)) };
      if (stored > LIMITS.sessionsPerUser!) report.fail(sessions, `${stored} sessions stored for one user`);
      if (outcomeOf(last) !== 'LOGGED_IN') report.fail(sessions, `the newest session's token answered ${outcomeOf(last)}`);
    }

    // One account logging in by password over and over from many addresses would keep every hash slot busy.
    const own = report.row('one account cannot keep the password checks busy', `${size.accountAddresses} addresses x 5 sockets log in to one account by password at once, twice: at most ${LIMITS.passwordLoginsPerUsername} logged in (the hash queue has room for all), the rest THROTTLED before any hash`);
    {
      // A hash queue with room for every one of them, so the budget is what must hold.
      const roomy = await serve({ limits: { ...LIMITS, passwordHashQueue: 1000, passwordHashQueuePerAddress: 1000 } });
      servers.push(roomy);
      roomy.seeder.users([{ username: 'worker', passwordHash: hash }]);
      const fleet = (await Promise.all(Array.from({ length: size.accountAddresses }, (_, a) => Promise.all(Array.from({ length: 5 }, () => open(`127.0.13.${a + 1}`, roomy.wsUrl)))))).flat();
      const outcomes: string[] = [];
      for (let round = 0; round < 2; round++) outcomes.push(...(await Promise.all(fleet.map((sock) => sock.login(right('worker'))))).map(outcomeOf));
      own.count = outcomes.length;
      own.figures = tally(outcomes);
      const logged = outcomes.filter((o) => o === 'LOGGED_IN').length;
      if (logged > LIMITS.passwordLoginsPerUsername!) report.fail(own, `${logged} password logins of one account`);
      if (outcomes.some((o) => o !== 'LOGGED_IN' && o !== 'THROTTLED')) report.fail(own, `unexpected answers ${JSON.stringify(tally(outcomes))}`);
      for (const sock of fleet) sock.close();
    }

    await checkHashQueue(report, size, servers, socks);
  } finally {
    for (const sock of socks) sock.close();
    for (const server of servers) await server.close();
  }
  return report;
}

/**
 * Password hashes in flight are bounded, so a burst of logins waits in a
 * short queue instead of taking every libuv thread: a static file (which
 * needs one) and a ping are answered while hashes are pending, and what does
 * not fit in the queue is refused at once.
 */
async function checkHashQueue(report: Report, size: AbuseAuthSize, servers: RunningServer[], socks: AddressSocket[]): Promise<void> {
  const { passwordHashConcurrency: inFlight, passwordHashQueue: queue } = LIMITS as Required<typeof LIMITS>;
  const row = report.row('password hashes do not starve the server', `${size.hashLogins} logins at once at scrypt N=2^14 from 4 addresses, then a GET of a static file and a ping: both answered before half the accepted hashes finish (unbounded: after nearly all); beyond ${inFlight} + ${queue} queued, THROTTLED at once`);
  // More addresses than the per-address share, so the shared queue is what fills.
  const s = await serve({ scrypt: { N: 2 ** 14, r: 8, p: 1 }, limits: { ...LIMITS, loginFailuresPerAddress: 1000, passwordHashQueuePerAddress: 1000 } });
  servers.push(s);
  const assets = readdirSync(join(REPO_ROOT, 'dist/assets')).filter((f) => f.endsWith('.js'));
  if (assets.length === 0) return report.fail(row, 'dist/assets is empty: build the app (npm run build) first');
  const open = async (address: string): Promise<AddressSocket> => {
    const sock = await AddressSocket.registered(s.wsUrl, address);
    socks.push(sock);
    return sock;
  };
  // The unknown-username hash is made once, on first use; make it before the burst.
  await (await open('127.0.8.9')).login({ username: 'warm-up', password: 'warm-up-xx' });
  const pinger = await open('127.0.8.9');
  const loginSocks = await Promise.all(Array.from({ length: size.hashLogins }, (_, i) => open(`127.0.8.${(i % 4) + 1}`)));
  const order: string[] = [];
  const logins = loginSocks.map((sock, i) => sock.login({ username: `nobody-${i}`, password: 'wrong-password' }).then((r) => order.push(outcomeOf(r))));
  const get = fetch(`${s.url}/assets/${assets[0]}`).then(async (res) => {
    await res.arrayBuffer();
    order.push(`GET ${res.status}`);
  });
  const ping = pinger.call('PingCommand', {}).then((r) => order.push(r.name));
  await Promise.all([...logins, get, ping]);
  row.count = size.hashLogins;
  const before = (what: string): number => order.slice(0, order.findIndex((o) => o.startsWith(what))).filter((o) => o === 'BAD_CREDENTIALS').length;
  const refused = order.filter((o) => o === 'THROTTLED').length;
  const firstEvaluated = order.indexOf('BAD_CREDENTIALS');
  const lastRefused = order.lastIndexOf('THROTTLED');
  row.figures = { ...tally(order), hashesDoneBeforeGet: before('GET'), hashesDoneBeforePong: before('PongResponse') };
  if (!order.includes('GET 200')) report.fail(row, `the static file answered ${order.find((o) => o.startsWith('GET'))}`);
  // Unbounded, the file's read queues in the libuv pool behind every hash sent before it, so it comes after
  // nearly all of them; bounded, it only shares the CPU with the ones running. Half the accepted ones is the
  // line between the two that a loaded machine does not cross.
  const line = Math.floor(Math.min(size.hashLogins, inFlight + queue) / 2);
  if (before('GET') > line) report.fail(row, `${before('GET')} hashes finished before the static file`);
  if (before('PongResponse') > line) report.fail(row, `${before('PongResponse')} hashes finished before the pong`);
  const expectRefused = Math.max(0, size.hashLogins - inFlight - queue);
  if (refused < expectRefused) report.fail(row, `${refused} refused with the queue full, expected at least ${expectRefused}`);
  if (refused > 0 && lastRefused > firstEvaluated) report.fail(row, 'a refusal waited behind a hash');
}

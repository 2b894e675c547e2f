import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_CODES } from '../../src/protocol/index';
import { startServer, type RunningServer } from '../../server/app';
import { CHEAP_SCRYPT } from '../../server/test/harness';
import { ProtocolClient } from '../../server/test/protocol-client';
import { checkAckedStored } from '../lib/delivery-check';
import { Report } from '../lib/results';
import { seedWorld } from '../lib/world';
import { canDropPrivileges, runNotWritable } from './disk-perms';

/**
 * Disk: the database cannot grow. A real full disk: the database on a small
 * tmpfs, filled up with a filler file (needs root, as the "not writable"
 * part does), so every connection of the server, the writer thread's
 * included, meets it as it would in production. While writes fail the
 * server must refuse sends with a coded error, never acknowledge what it did
 * not store, and report 503 on /healthz; when space returns it must work
 * again, and a resend of each refused message must be stored exactly once.
 */
export interface DiskSize {
  rounds: number;
  /** Most sends tried per round while full. */
  sendsWhileFull: number;
  /** Sends while the directory is not writable (suites/disk-perms.ts; only as root). */
  sendsWhileUnwritable: number;
}

export const DISK_SIZES: Record<'ci' | 'long', DiskSize> = {
  ci: { rounds: 2, sendsWhileFull: 200, sendsWhileUnwritable: 50 },
  long: { rounds: 20, sendsWhileFull: 2000, sendsWhileUnwritable: 2000 },
};

interface Fault {
  name: string;
  dir: string;
  fill(server: RunningServer): void | Promise<void>;
  free(server: RunningServer): void | Promise<void>;
  dispose(): void;
}

function tmpfsFault(): Fault | null {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  const filler = join(dir, 'filler');
  return {
    name: 'disk full (16 MiB tmpfs filled to the last byte)',
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      const block = Buffer.alloc(4096, 1);
      try {
        for (let i = 0; i < 10_000; i++) writeSync(fd, block); // up to 40 MiB, more than the tmpfs holds
      } catch {
        // ENOSPC: the disk is full, as intended.
      }
      try {
        for (let i = 0; i < 4096; i++) writeSync(fd, block, 0, 1);
      } catch {
        // The last bytes too.
      }
      closeSync(fd);
    },
    free() {
      rmSync(filler, { force: true });
    },
    dispose() {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      } catch {
        // already unmounted
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function health(server: RunningServer): Promise<number> {
  return (await fetch(`${server.url}/healthz`)).status;
}

export async function runDisk(size: DiskSize, log: (line: string) => void = () => {}): Promise<Report> {
  const report = new Report('disk', size === DISK_SIZES.long ? 'long' : 'ci', null, log);
  const faults: Fault[] = [];
  const tmpfs = tmpfsFault();
  if (tmpfs) faults.push(tmpfs);
  else report.note('disk: tmpfs could not be mounted (not root?); "disk full" is not tested');
  for (const fault of faults) {
    try {
      await runFault(report, fault, size);
    } finally {
      fault.dispose();
    }
  }
  if (canDropPrivileges()) await runNotWritable(report, size);
  else report.note('disk: not root, so the server cannot be run as another user; "directory not writable" is not tested');
  return report;
}

async function runFault(report: Report, fault: Fault, size: DiskSize): Promise<void> {
  mkdirSync(fault.dir, { recursive: true });
  // Rate limits (per socket and per user) are raised: the long run sends thousands of messages back to back on one socket, and
  // RATE_LIMITED (then a 1008 close) would stand in for the storage refusals this suite is about.
  // /healthz probes on every request (healthCacheMs 0): the question here is whether the probe fails
  // whenever a send does, at the same moment (the cache's period is the abuse-http suite's).
  const server = await startServer({ port: 0, dbPath: join(fault.dir, 'tidings.db'), logLevel: 'silent', scrypt: CHEAP_SCRYPT, limits: { commandsPerSecond: 1e6, commandBurst: 1e6, sendsPerUserPerMinute: 1e9 }, healthCacheMs: 0 });
  let client: ProtocolClient | null = null;
  try {
    const world = await seedWorld(server.seeder, 2, 'disk');
    const conversationId = world.directIds[0]!;
    client = await ProtocolClient.connect(server.wsUrl);
    await client.register();
    await client.call('AccountLoginCommand', { userInformation: { sessionToken: world.users[0]!.token } }, 'AccountLoginResponse');
    const c = client;

    const acked = new Map<string, number>();
    const refused: string[] = [];
    let n = 0;
    const send = async (): Promise<'acked' | 'refused'> => {
      const clientMessageId = `disk-${n++}`;
      const frame = await c.request('SendMessageCommand', { conversationId, clientMessageId, body: `message ${clientMessageId} ${'x'.repeat(400)}` });
      if (frame.name === 'SendMessageResponse') {
        acked.set(clientMessageId, (frame.payload['message'] as { seq: number }).seq);
        return 'acked';
      }
      const code = frame.payload['code'];
      if (frame.name !== 'ErrorResponse' || !(ERROR_CODES as readonly unknown[]).includes(code)) {
        report.fail(refusals, `unexpected answer ${frame.name} ${JSON.stringify(frame.payload).slice(0, 200)}`);
      } else if (!/storage is full or not writable/.test(String(frame.payload['message']))) {
        // The refusal must say why, so the person (and the retrying client) knows nothing was stored.
        report.fail(refusals, `refusal does not name the full storage: ${String(frame.payload['message']).slice(0, 200)}`);
      }
      refused.push(clientMessageId);
      return 'refused';
    };

    const refusals = report.row(`${fault.name}: sends refused`, 'sends while the database cannot grow: each answered with a coded ErrorResponse, none acknowledged unless stored');
    const healthRow = report.row(`${fault.name}: /healthz`, '503 while writes fail (a logged-in socket also leaves meanwhile), 200 once space returns');
    const recovery = report.row(`${fault.name}: recovery`, 'after space returns, a resend of every refused message is stored exactly once and new sends work');
    for (let round = 0; round < size.rounds; round++) {
      for (let i = 0; i < 5; i++) await send();
      if ((await health(server)) !== 200) report.fail(healthRow, `round ${round}: /healthz not 200 before the fault`);
      // A second device of the other user, logged in now and gone while the disk is full (its last-seen time cannot be stored).
      const leaver = await ProtocolClient.connect(server.wsUrl);
      await leaver.register();
      await leaver.call('AccountLoginCommand', { userInformation: { sessionToken: world.users[1]!.token } }, 'AccountLoginResponse');
      await fault.fill(server);
      leaver.ws.terminate();
      await leaver.closed;
      let firstRefusal = -1;
      for (let i = 0; i < size.sendsWhileFull; i++) {
        refusals.count++;
        if ((await send()) === 'refused' && firstRefusal < 0) firstRefusal = i;
        if (firstRefusal >= 0 && i - firstRefusal >= 20) break;
      }
      if (firstRefusal < 0) report.fail(refusals, `round ${round}: ${size.sendsWhileFull} sends all acknowledged while full`);
      else {
        healthRow.count++;
        const status = await health(server);
        if (status !== 503) report.fail(healthRow, `round ${round}: /healthz answered ${status} while sends were refused`);
      }
      await fault.free(server);
      healthRow.count++;
      const after = await health(server);
      if (after !== 200) report.fail(healthRow, `round ${round}: /healthz answered ${after} after space returned`);
      for (const id of refused.splice(0)) {
        recovery.count++;
        const frame = await c.request('SendMessageCommand', { conversationId, clientMessageId: id, body: `message ${id} ${'x'.repeat(400)}` });
        if (frame.name !== 'SendMessageResponse') report.fail(recovery, `resend of ${id} answered ${frame.name} ${JSON.stringify(frame.payload).slice(0, 160)}`);
        else acked.set(id, (frame.payload['message'] as { seq: number }).seq);
      }
      report.note(`disk: ${fault.name}, round ${round + 1}: first refusal after ${firstRefusal} sends`);
    }
    // What was acknowledged is what is stored: each clientMessageId once, with its seq.
    const rows = server.db.prepare('SELECT client_message_id AS id, seq FROM messages WHERE conversation_id = ?').all(conversationId) as { id: string; seq: number }[];
    checkAckedStored(report, recovery, rows, acked);
  } finally {
    client?.close();
    await server.close();
  }
}

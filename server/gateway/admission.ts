import { addressKey } from '../auth/address-key';
import type { SocketCounts } from './socket-counts';

/** Why an upgrade is refused: the HTTP answer, sent before any WebSocket work. */
export interface Refusal {
  status: 429 | 503;
  /** The metric's label. */
  reason: 'max_sockets' | 'sockets_per_address' | 'pending_per_address';
  text: string;
  retryAfterSeconds: number;
}

export interface AdmissionLimits {
  maxSockets: number;
  maxSocketsPerAddress: number;
  maxPendingSocketsPerAddress: number;
  loginDeadlineMs: number;
}

/** The slots one admitted socket holds, given back by `release` (each once). */
export interface Admitted {
  readonly key: string;
  pending: boolean;
}

/**
 * Who may open a socket: per client address at most `maxSocketsPerAddress`,
 * of which at most `maxPendingSocketsPerAddress` not yet logged in, and at
 * most `maxSockets` in this process. A full process first makes room by
 * closing its longest-waiting socket that has not logged in (`makeRoom`):
 * sockets from many addresses that never log in then cycle among
 * themselves instead of locking newcomers out, and a real client, logged in
 * one round trip after opening, is never the one closed. Each check is a
 * counter look-up, so refusing costs less than the upgrade it saves.
 */
export class Admission {
  constructor(
    private readonly counts: SocketCounts,
    private readonly limits: AdmissionLimits,
    /** Sockets open or being upgraded in this process. */
    private readonly openSockets: () => number,
    /** Closes the longest-waiting socket that has not logged in; false when there is none. */
    private readonly makeRoom: () => boolean,
  ) {}

  async admit(address: string): Promise<Admitted | Refusal> {
    const { maxSockets, maxSocketsPerAddress, maxPendingSocketsPerAddress } = this.limits;
    // Counted before the first await, so that concurrent upgrades see each other.
    const full = maxSockets > 0 && this.openSockets() >= maxSockets;
    const key = addressKey(address);
    if (!(await this.counts.tryAcquire(socketsKey(key), maxSocketsPerAddress))) {
      return { status: 429, reason: 'sockets_per_address', text: `address ${key} already has ${maxSocketsPerAddress} sockets open`, retryAfterSeconds: 10 };
    }
    if (!(await this.counts.tryAcquire(pendingKey(key), maxPendingSocketsPerAddress))) {
      this.counts.release(socketsKey(key));
      // A socket that is not logged in holds its slot at most until the login deadline.
      const retryAfterSeconds = Math.max(1, Math.ceil(this.limits.loginDeadlineMs / 1000));
      return { status: 429, reason: 'pending_per_address', text: `address ${key} already has ${maxPendingSocketsPerAddress} sockets that have not logged in`, retryAfterSeconds };
    }
    if (full && !this.makeRoom()) {
      this.counts.release(pendingKey(key));
      this.counts.release(socketsKey(key));
      return { status: 503, reason: 'max_sockets', text: `the server holds its maximum of ${maxSockets} sockets; retry later`, retryAfterSeconds: 10 };
    }
    return { key, pending: true };
  }

  /** The socket logged in: it no longer counts as pending. */
  loggedIn(admitted: Admitted): void {
    if (!admitted.pending) return;
    admitted.pending = false;
    this.counts.release(pendingKey(admitted.key));
  }

  /** The socket is gone (or its upgrade failed). */
  release(admitted: Admitted): void {
    this.loggedIn(admitted);
    this.counts.release(socketsKey(admitted.key));
  }
}

export function isRefusal(verdict: Admitted | Refusal): verdict is Refusal {
  return 'status' in verdict;
}

function socketsKey(key: string): string {
  return `sockets:${key}`;
}

function pendingKey(key: string): string {
  return `pending:${key}`;
}

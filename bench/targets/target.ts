import type { Transport } from '../generator/ipc';
import type { PopulationShape, SeededPopulation } from '../generator/population';

/**
 * A server under test, running in its own process so that its memory and CPU
 * are its own: the raw relay (the ceiling), the Socket.IO baseline in memory,
 * Socket.IO storing each message in SQLite before its ack (the durable peer),
 * the real Tidings server with its database file, and the real server of
 * another checkout (`--baseline-checkout`, for before/after in one run).
 */
export const TARGET_KINDS = ['raw', 'socketio', 'socketio-sqlite', 'real', 'real-base'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export const TARGET_LABELS: Record<TargetKind, string> = {
  raw: 'raw ws relay',
  socketio: 'Socket.IO',
  'socketio-sqlite': 'Socket.IO + SQLite',
  real: 'Tidings server',
  'real-base': 'Tidings (baseline checkout)',
};

/** Which client drives the target: the Tidings protocol or Socket.IO's. */
export const TARGET_TRANSPORTS: Record<TargetKind, Transport> = {
  raw: 'protocol',
  socketio: 'socketio',
  'socketio-sqlite': 'socketio',
  real: 'protocol',
  'real-base': 'protocol',
};

/** The Tidings server, of this checkout or another: accounts, history, /metrics. */
export function isTidings(kind: TargetKind): boolean {
  return kind === 'real' || kind === 'real-base';
}

export interface RunningTarget {
  kind: TargetKind;
  pid: number;
  url: string;
  transport: Transport;
  seeded: SeededPopulation;
  /** Wall time spent preparing accounts, sessions and conversations. */
  seedMs: number;
  /** Why the target stopped early, with its last output, if it did. */
  failure(): string | null;
  stop(): Promise<void>;
}

/** How to start a target: node flags for the child, in this process instead, and the other checkout's root for `real-base`. */
export interface LaunchOptions {
  nodeFlags?: string[];
  inProcess?: boolean;
  baselineCheckout?: string | null;
}

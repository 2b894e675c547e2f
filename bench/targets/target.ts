import type { Transport } from '../generator/ipc';
import type { PopulationShape, SeededPopulation } from '../generator/population';

/**
 * A server under test, running in its own process so that its memory and CPU
 * are its own: the raw relay (the ceiling), the Socket.IO baseline, or the
 * real Tidings server with its database file.
 */
export type TargetKind = 'raw' | 'socketio' | 'real';

export const TARGET_LABELS: Record<TargetKind, string> = {
  raw: 'raw ws relay',
  socketio: 'Socket.IO',
  real: 'Tidings server',
};

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

export interface TargetLauncher {
  (shape: PopulationShape, runId: string, nodeFlags: string[]): Promise<RunningTarget>;
}

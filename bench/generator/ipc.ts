/**
 * Messages between the coordinator (bench/cli.ts and the scenarios) and the
 * generator workers (bench/generator/worker.ts), over the child process IPC
 * channel. Plain JSON: histograms travel compressed as base64 strings.
 */
export type Transport = 'protocol' | 'socketio';

/** One simulated person: the session token to log in with and the conversations to subscribe to. */
export interface UserPlan {
  index: number;
  token: string;
  conversations: ConversationPlan[];
}

export interface ConversationPlan {
  id: string;
  /** Member count, so a sender knows how many deliveries one send should make. */
  members: number;
}

export type ToWorker =
  | { t: 'init'; workerId: number; transport: Transport; url: string; localAddresses: string[]; bodyBytes: number; trackHistory: boolean }
  | { t: 'connect'; users: UserPlan[]; perSecond: number; subscribeConversations: boolean }
  | { t: 'load'; perSecond: number; durationMs: number; drainMs: number; senders: number[] | 'all' }
  | { t: 'collect' }
  | { t: 'stats' }
  | { t: 'disconnect'; users: number[] }
  | { t: 'reconnect'; users: number[] }
  | { t: 'pause'; users: number[] }
  | { t: 'resume'; users: number[] }
  | { t: 'probe'; users: number[] }
  /** Muted users still read their socket but their arrivals are not counted or timed. */
  | { t: 'mute'; users: number[] }
  | { t: 'close' };

export interface LiveStats {
  connected: number;
  sent: number;
  acked: number;
  delivered: number;
  expectedDeliveries: number;
  errors: number;
}

export interface PhaseResult {
  workerId: number;
  sent: number;
  acked: number;
  /** Deliveries the acked sends should make to other members (members - 1 each). */
  expectedDeliveries: number;
  delivered: number;
  /** Characters of every frame received by this worker's clients during the phase. */
  bytesIn: number;
  gaps: number;
  dupes: number;
  errors: Record<string, number>;
  ack: string;
  delivery: string;
  cpuUserMs: number;
  cpuSystemMs: number;
  wallMs: number;
}

export interface ConnectResult {
  workerId: number;
  ok: number;
  failed: number;
  errors: Record<string, number>;
  latency: string;
  cpuUserMs: number;
  cpuSystemMs: number;
}

export interface ReconnectResult extends ConnectResult {
  /** Users whose every missed message was fetched once, in seq order, with no gap. */
  complete: number;
  incomplete: number;
  missing: number;
  dupes: number;
  messagesFetched: number;
  catchUp: string;
}

export interface ProbeResult {
  workerId: number;
  users: { index: number; open: boolean; closeCode: number | null; delivered: number; notices: string[] }[];
}

export type FromWorker =
  | { t: 'ready'; workerId: number }
  | { t: 'connected'; result: ConnectResult }
  | { t: 'loaded'; workerId: number }
  | { t: 'collected'; result: PhaseResult }
  | { t: 'stats'; workerId: number; stats: LiveStats }
  | { t: 'disconnected'; workerId: number }
  | { t: 'reconnected'; result: ReconnectResult }
  | { t: 'done'; workerId: number }
  | { t: 'probed'; result: ProbeResult }
  | { t: 'fatal'; workerId: number; message: string };

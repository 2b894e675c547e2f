import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The server's Prometheus metrics, in a registry of its own rather than the
 * global default, so several servers can run in one test process.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly connections: Gauge;
  readonly loggedInUsers: Gauge;
  readonly commands: Counter<'command'>;
  readonly errors: Counter<'command' | 'code'>;
  readonly socketLimits: Counter<'reason'>;
  readonly ackLatency: Histogram;
  readonly commitTime: Histogram;
  readonly commitBatchSize: Histogram;
  readonly httpConnectionsDropped: Counter;

  /** Gauges of the auth throttles' counters and the password-hash queue, read at scrape time. */
  observeAuth(throttle: { readonly size: number }, hashes: { readonly inFlight: number; readonly queued: number }): void {
    const registers = [this.registry];
    new Gauge({ name: 'tidings_throttle_entries', help: 'Counters kept by the login and sign-up throttles', registers, collect() { this.set(throttle.size); } });
    new Gauge({ name: 'tidings_password_hashes_in_flight', help: 'Password hashes running', registers, collect() { this.set(hashes.inFlight); } });
    new Gauge({ name: 'tidings_password_hashes_queued', help: 'Password hashes waiting for a slot', registers, collect() { this.set(hashes.queued); } });
  }

  constructor() {
    const registers = [this.registry];
    // Default metrics include nodejs_eventloop_lag_seconds and its percentiles.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
    this.connections = new Gauge({ name: 'tidings_connections', help: 'Open WebSocket connections', registers });
    this.loggedInUsers = new Gauge({ name: 'tidings_logged_in_users', help: 'Users with at least one logged-in socket', registers });
    this.commands = new Counter({ name: 'tidings_commands_total', help: 'Commands received, by short name', labelNames: ['command'], registers });
    this.errors = new Counter({
      name: 'tidings_errors_total',
      help: 'ErrorResponses sent, by command and code',
      labelNames: ['command', 'code'],
      registers,
    });
    this.socketLimits = new Counter({
      name: 'tidings_socket_limit_total',
      help: 'Upgrades refused and sockets closed by a socket limit, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.ackLatency = new Histogram({
      name: 'tidings_message_ack_seconds',
      help: 'Time from receiving a SendMessageCommand to sending its response',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.commitTime = new Histogram({
      name: 'tidings_db_commit_seconds',
      help: 'Duration of one group-commit transaction',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers,
    });
    this.commitBatchSize = new Histogram({
      name: 'tidings_db_commit_batch_size',
      help: 'Messages written by one group-commit transaction',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers,
    });
    this.httpConnectionsDropped = new Counter({
      name: 'tidings_http_connections_dropped_total',
      help: 'TCP connections closed on arrival because MAX_CONNECTIONS were open',
      registers,
    });
  }
}

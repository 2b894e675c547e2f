import { createServer, connect, type Server, type Socket } from 'node:net';
import { between, type Random } from './random';

/**
 * A TCP proxy on loopback that mistreats the connections through it: each
 * direction's chunks are delayed, sometimes stalled, and every connection is
 * cut after a random number of bytes, often in the middle of a WebSocket
 * frame (the cutting chunk is split and only its first part delivered).
 * All randomness comes from the seeded `random`.
 */
export interface ChaosOptions {
  upstreamPort: number;
  random: Random;
  /** A connection is cut after this many bytes (both directions together), random in the range. */
  cutAfterBytes: [number, number];
  /** Chance per chunk of a stall, and its length. */
  stallChance: number;
  stallMs: [number, number];
  /** Extra delay per chunk. */
  delayMs: [number, number];
  /** Stop cutting after this many cuts (then the proxy only delays). */
  maxCuts: number;
}

export interface ChaosStats {
  connections: number;
  cuts: number;
  cutsMidChunk: number;
  resets: number;
  stalls: number;
  bytes: number;
}

export class ChaosProxy {
  readonly stats: ChaosStats = { connections: 0, cuts: 0, cutsMidChunk: 0, resets: 0, stalls: 0, bytes: 0 };
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly o: ChaosOptions) {
    this.server = createServer((client) => this.accept(client));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  get cutting(): boolean {
    return this.stats.cuts < this.o.maxCuts;
  }

  private accept(client: Socket): void {
    const { random } = this.o;
    this.stats.connections++;
    const upstream = connect(this.o.upstreamPort, '127.0.0.1');
    this.sockets.add(client).add(upstream);
    let budget = this.cutting ? between(random, this.o.cutAfterBytes[0], this.o.cutAfterBytes[1]) : Infinity;
    // `stopped`: nothing more is forwarded (a cut is scheduled); `dead`: both sockets are gone.
    let stopped = false;
    let dead = false;
    const kill = (reset: boolean): void => {
      if (dead) return;
      dead = true;
      stopped = true;
      if (reset) {
        this.stats.resets++;
        client.resetAndDestroy();
        upstream.resetAndDestroy();
      } else {
        client.destroy();
        upstream.destroy();
      }
    };
    // Each direction is a chain of timed deliveries, so delays never reorder bytes.
    const pipe = (from: Socket, to: Socket): void => {
      let chain = Promise.resolve();
      from.on('data', (chunk: Buffer) => {
        if (stopped) return;
        let piece = chunk;
        let cutHere = false;
        if (piece.length >= budget && this.cutting) {
          const keep = Math.floor(random() * Math.min(piece.length, Math.max(1, budget)));
          if (keep < piece.length) this.stats.cutsMidChunk++;
          piece = piece.subarray(0, keep);
          cutHere = true;
          this.stats.cuts++;
        }
        budget -= piece.length;
        this.stats.bytes += piece.length;
        let wait = between(random, this.o.delayMs[0], this.o.delayMs[1]);
        if (random() < this.o.stallChance) {
          this.stats.stalls++;
          wait += between(random, this.o.stallMs[0], this.o.stallMs[1]);
        }
        const reset = random() < 0.5;
        if (cutHere) stopped = true;
        chain = chain.then(
          () =>
            new Promise<void>((resolve) =>
              setTimeout(() => {
                if (piece.length > 0 && !to.destroyed) to.write(piece);
                // Let the partial bytes leave before the cut.
                if (cutHere) setTimeout(() => kill(reset), 1);
                resolve();
              }, wait),
            ),
        );
      });
    };
    pipe(client, upstream);
    pipe(upstream, client);
    for (const s of [client, upstream]) {
      s.on('error', () => kill(false));
      s.on('close', () => {
        this.sockets.delete(s);
        kill(false);
      });
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

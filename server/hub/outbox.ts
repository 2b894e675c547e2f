import type { Peer } from './peer';

/**
 * The frames of one pass over many sockets (a commit's answers and
 * notifications): each socket is corked at its first frame and uncorked by
 * `send()`, so its frames leave in one write, in the order they were written.
 */
export class Outbox {
  private readonly corked = new Set<Peer>();

  write(peer: Peer, text: string): void {
    if (!this.corked.has(peer)) {
      this.corked.add(peer);
      peer.cork?.();
    }
    peer.sendText(text);
  }

  /** Uncorks every socket written to: each sends what it was given in one write. */
  send(): void {
    for (const peer of this.corked) peer.uncork?.();
    this.corked.clear();
  }
}

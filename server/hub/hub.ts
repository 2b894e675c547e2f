import { encodeFrame, type ServerMessages } from '../../src/protocol/index';
import type { Peer } from './peer';

/** Hub keys: a per-user resource, or a conversation's messages (shared by all members). */
export function contactsKey(userId: string): string {
  return `contacts@${userId}`;
}
export function conversationsKey(userId: string): string {
  return `conversations@${userId}`;
}
export function messagesKey(conversationId: string): string {
  return `messages:${conversationId}`;
}

/**
 * Routes change notifications to subscribed sockets. Each notification is
 * encoded ONCE and the same string goes to every recipient. A socket that
 * cannot keep up is closed by its own `sendText` (the write cap every frame
 * obeys, gateway/connection.ts), not here. This and storage are the seams
 * where a shared broker would plug in.
 */
export class Hub {
  private readonly subscribers = new Map<string, Set<Peer>>();
  /** Inside `batch`: the sockets corked so far, uncorked when the outermost batch ends. */
  private corked: Set<Peer> | null = null;
  private openBatches = 0;
  /** Sockets held corked since the last commit, until that commit's notifications are written (see `openHold`). */
  private held: Set<Peer> | null = null;

  subscribe(peer: Peer, key: string): void {
    let set = this.subscribers.get(key);
    if (!set) this.subscribers.set(key, (set = new Set()));
    set.add(peer);
    peer.subscriptions.add(key);
  }

  unsubscribe(peer: Peer, key: string): void {
    const set = this.subscribers.get(key);
    if (set) {
      set.delete(peer);
      if (set.size === 0) this.subscribers.delete(key);
    }
    peer.subscriptions.delete(key);
  }

  /** Ends every subscription of a socket (on close and on logout). */
  dropAll(peer: Peer): void {
    for (const key of [...peer.subscriptions]) this.unsubscribe(peer, key);
  }

  /**
   * Runs `fn` with every socket it writes to corked, and uncorks them at the
   * end: the frames one socket gets in a batch (a messages and a
   * conversations notification, say) leave in one write instead of one each.
   */
  batch<T>(fn: () => T): T {
    const close = this.openBatch();
    try {
      return fn();
    } finally {
      close();
    }
  }

  /**
   * Opens a batch and returns the function that closes it (`batch` is this
   * around one function). Batches nest; the sockets are uncorked when the
   * last open one closes. Closing twice is a no-op.
   */
  openBatch(): () => void {
    if (!this.corked) this.corked = new Set();
    this.openBatches += 1;
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      this.openBatches -= 1;
      if (this.openBatches > 0) return;
      const corked = this.corked!;
      this.corked = null;
      for (const peer of corked) peer.uncork?.();
    };
  }

  /** Corks one socket until the open batch closes; no-op outside one. */
  join(peer: Peer): void {
    if (this.corked && peer.cork && !this.corked.has(peer)) {
      peer.cork();
      this.corked.add(peer);
    }
  }

  /**
   * Opens a hold (the commit path: right after COMMIT, before the acks are
   * written) and returns its release (run after the same commit's
   * notifications, a turn later). A socket that `hold` puts in it is corked
   * until the release: whatever is written to it meanwhile, its ack first,
   * then anything answered after the ack, then its notifications, queues in
   * the order written and leaves in one write. Nothing is reordered; only
   * the syscall waits for the turn. A new hold replaces the open one for
   * `hold`; each release uncorks only its own sockets (Node counts corks).
   */
  openHold(): () => void {
    const held = (this.held = new Set<Peer>());
    return () => {
      if (this.held === held) this.held = null;
      for (const peer of held) peer.uncork?.();
      held.clear();
    };
  }

  /** Corks a socket until the open hold is released; no-op without one. */
  hold(peer: Peer): void {
    if (this.held && peer.cork && !this.held.has(peer)) {
      peer.cork();
      this.held.add(peer);
    }
  }

  /**
   * Sends one ResourceChangedNotification to the subscribers of all given
   * keys (each socket once), except `except` (a sender whose ack already
   * carries the change).
   */
  notifyChanged(keys: string[], payload: ServerMessages['ResourceChangedNotification'], except: Peer | null = null): void {
    this.notifyEncoded(keys, () => encodeFrame('ResourceChangedNotification', payload), except);
  }

  /** `notifyChanged` with the frame already encoded (made only when someone is subscribed). */
  notifyEncoded(keys: string[], encode: () => string, except: Peer | null = null): void {
    const recipients = new Set<Peer>();
    for (const key of keys) for (const peer of this.subscribers.get(key) ?? []) recipients.add(peer);
    if (except) recipients.delete(except);
    if (recipients.size === 0) return;
    this.deliver(recipients, encode());
  }

  /** Sends a frame to the subscribers of one key, except those `skip` says to leave out. */
  broadcast(key: string, name: string, payload: object, skip?: (peer: Peer) => boolean): void {
    const set = this.subscribers.get(key);
    if (!set || set.size === 0) return;
    const recipients = skip ? [...set].filter((p) => !skip(p)) : set;
    this.deliver(recipients, encodeFrame(name, payload));
  }

  private deliver(recipients: Iterable<Peer>, text: string): void {
    for (const peer of recipients) {
      this.join(peer);
      peer.sendText(text);
    }
  }
}

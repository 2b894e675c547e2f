import { encodeFrame, type ServerMessages } from '../../src/protocol/index';
import type { Outbox } from './outbox';
import type { Peer } from './peer';

/** Hub keys: a per-user resource, or a conversation's messages or receipts (shared by all members). */
export function contactsKey(userId: string): string {
  return `contacts@${userId}`;
}
export function conversationsKey(userId: string): string {
  return `conversations@${userId}`;
}
export function messagesKey(conversationId: string): string {
  return `messages:${conversationId}`;
}
/** A conversation's receipts (shared by the members subscribed to it); also the key of its version. */
export function receiptsKey(conversationId: string): string {
  return `receipts:${conversationId}`;
}

const EMPTY: ReadonlySet<Peer> = new Set();

/**
 * Routes change notifications to subscribed sockets. Each notification is
 * encoded ONCE and the same string goes to every recipient. A socket that
 * cannot keep up is closed by its own `sendText` (the write cap every frame
 * obeys, gateway/connection.ts), not here. This and storage are the seams
 * where a shared broker would plug in.
 */
export class Hub {
  private readonly subscribers = new Map<string, Set<Peer>>();

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

  /** The sockets subscribed to a key (live: do not change subscriptions while iterating it). */
  subscribersOf(key: string): ReadonlySet<Peer> {
    return this.subscribers.get(key) ?? EMPTY;
  }

  /** Ends one user's subscriptions to a key on every socket of theirs (a member removed from a conversation). */
  unsubscribeUser(key: string, userId: string): void {
    for (const peer of [...(this.subscribers.get(key) ?? [])]) {
      if (peer.userId === userId) this.unsubscribe(peer, key);
    }
  }

  /** Ends every subscription of a socket (on close and on logout). */
  dropAll(peer: Peer): void {
    for (const key of [...peer.subscriptions]) this.unsubscribe(peer, key);
  }

  /**
   * Sends one ResourceChangedNotification to the subscribers of all given
   * keys (each socket once), except `except` (a sender whose ack already
   * carries the change). Encoded only when someone is subscribed. With an
   * outbox, the frame joins that socket's other frames of the same pass.
   */
  notifyChanged(keys: string[], payload: ServerMessages['ResourceChangedNotification'], except: Peer | null = null, out?: Outbox): void {
    this.notifyEncoded(keys, () => encodeFrame('ResourceChangedNotification', payload), except, out);
  }

  /** `notifyChanged` with the frame made by `encode`, called only when someone is subscribed. */
  notifyEncoded(keys: string[], encode: () => string, except: Peer | null = null, out?: Outbox): void {
    const recipients = new Set<Peer>();
    for (const key of keys) for (const peer of this.subscribers.get(key) ?? []) recipients.add(peer);
    if (except) recipients.delete(except);
    if (recipients.size === 0) return;
    this.deliver(recipients, encode(), out);
  }

  /** Sends a frame to the subscribers of one key, except those `skip` says to leave out. */
  broadcast(key: string, name: string, payload: object, skip?: (peer: Peer) => boolean): void {
    const set = this.subscribers.get(key);
    if (!set || set.size === 0) return;
    const recipients = skip ? [...set].filter((p) => !skip(p)) : set;
    this.deliver(recipients, encodeFrame(name, payload));
  }

  private deliver(recipients: Iterable<Peer>, text: string, out?: Outbox): void {
    for (const peer of recipients) {
      if (out) out.write(peer, text);
      else peer.sendText(text);
    }
  }
}

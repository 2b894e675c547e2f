import type { Message } from '../../src/protocol/index';
import type { Peer } from './peer';

/**
 * Which socket sent each message that is on its way through the writer, so
 * that a commit's `messages:<id>` notification can leave out the sending
 * socket when its SendMessageResponse already carries every message of that
 * commit for that conversation (docs/PROTOCOL.md, "Notifications in
 * detail"). Keyed by (sender, clientMessageId), the pair the writer
 * deduplicates on; registered before the message is submitted, so the
 * answer does not depend on whether the sender's continuation or the
 * notification runs first. An entry is taken by the commit's notification,
 * or forgotten by the sender when the write failed or found a duplicate.
 */
export class SendOrigins {
  private readonly bySend = new Map<string, Peer>();

  expect(senderId: string, clientMessageId: string, peer: Peer): void {
    this.bySend.set(key(senderId, clientMessageId), peer);
  }

  /** Drops the entry if it is still this peer's (a failed or duplicate send). */
  forget(senderId: string, clientMessageId: string, peer: Peer): void {
    const k = key(senderId, clientMessageId);
    if (this.bySend.get(k) === peer) this.bySend.delete(k);
  }

  /**
   * The socket that sent every one of these messages (one conversation's
   * messages of one commit), or null when there is none (several sockets,
   * or one not known); every message's entry is removed either way.
   */
  soleSender(messages: readonly Message[]): Peer | null {
    let sole: Peer | null | undefined;
    for (const m of messages) {
      const k = key(m.senderId, m.clientMessageId);
      const peer = this.bySend.get(k) ?? null;
      if (peer) this.bySend.delete(k);
      if (sole === undefined) sole = peer;
      else if (sole !== peer) sole = null;
    }
    return sole ?? null;
  }

  get size(): number {
    return this.bySend.size;
  }
}

function key(senderId: string, clientMessageId: string): string {
  return `${senderId}\u0000${clientMessageId}`;
}

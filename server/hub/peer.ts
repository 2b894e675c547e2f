/**
 * What the hub and the session registry need of a socket, so neither depends
 * on the gateway's Connection class (and a test can hand in a fake).
 */
export interface Peer {
  readonly id: number;
  /** The logged-in user, or null. */
  readonly userId: string | null;
  /** Hub keys this socket is subscribed to. */
  readonly subscriptions: Set<string>;
  /** Writes one frame; the peer itself refuses (and closes) when it is not reading (gateway/connection.ts). */
  sendText(text: string): void;
  /** Optional: hold this socket's writes until `uncork` (one write for many frames). */
  cork?(): void;
  uncork?(): void;
  close(code: number, reason: string): void;
}

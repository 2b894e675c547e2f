/**
 * Default limits of docs/PROTOCOL.md section 5 and the values derived from them.
 * The server may be configured otherwise and announces the ones that matter
 * to a client in `ClientRegistrationResponse.limits`.
 */
export const DEFAULT_LIMITS = {
  /** Largest accepted frame in bytes; larger closes the socket with 1009. */
  maxFrameBytes: 64 * 1024,
  /** Longest message body, in characters (Unicode code points) after trimming. */
  maxBodyLength: 4000,
  /** Sustained commands per second per socket. */
  commandsPerSecond: 50,
  /** Burst size of the per-socket token bucket. */
  commandBurst: 200,
  /** A socket still flooding this long after its first RATE_LIMITED is closed with 1008. */
  floodCloseAfterMs: 5000,
  /** Failed logins per username before THROTTLED. */
  loginFailuresAllowed: 5,
  /** Window over which failed logins are counted. */
  loginFailureWindowMs: 15 * 60 * 1000,
  /** How often clients ping; the server drops sockets silent for twice this. */
  heartbeatIntervalMs: 25_000,
  /** Default and largest page of GetMessagesCommand. */
  messagesPageDefault: 100,
  messagesPageMax: 500,
  /** Public-computer sessions: idle expiry and absolute cap. */
  publicSessionIdleMs: 30 * 60 * 1000,
  publicSessionMaxMs: 12 * 60 * 60 * 1000,
  /** Trusted sessions last this long from last use. */
  trustedSessionMs: 30 * 24 * 60 * 60 * 1000,
} as const;

export type Limits = typeof DEFAULT_LIMITS;

/**
 * Largest frame from the server the client parses, in bytes of UTF-8.
 * docs/PROTOCOL.md caps the client's frames (maxFrameBytes) but not the server's,
 * and the browser hands over a whole frame however large; parsing and
 * dispatching a hostile multi-MB frame stalls the page. The largest reply a
 * genuine server sends is a MessagesResponse of the client's own page
 * (messagesPageMax messages, which is what message-fetcher asks for) at the
 * longest body: maxBodyLength code points at 6 bytes each at worst in JSON
 * (control characters become \u00XX), plus at most 1 KiB a message of ids,
 * seq and times, plus 64 KiB for the rest of the frame: 12,577,536 bytes.
 * Nothing else comes close (a ConversationsResponse would need over a
 * hundred 1,000-member groups). The client refuses a larger frame unparsed.
 */
export const MAX_INCOMING_FRAME_BYTES = DEFAULT_LIMITS.messagesPageMax * (DEFAULT_LIMITS.maxBodyLength * 6 + 1024) + 64 * 1024;

/** Length of a message body as the protocol counts it: code points after trimming. */
export function bodyLength(body: string): number {
  let n = 0;
  // Iterating a string walks code points, so a surrogate pair counts once.
  for (const _ of body.trim()) n++;
  return n;
}

/**
 * Default limits of PROTOCOL.md section 5 and the values derived from them.
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

/** Length of a message body as the protocol counts it: code points after trimming. */
export function bodyLength(body: string): number {
  let n = 0;
  // Iterating a string walks code points, so a surrogate pair counts once.
  for (const _ of body.trim()) n++;
  return n;
}

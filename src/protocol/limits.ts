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
  /** Failed logins of one username from one address before each next attempt waits (THROTTLED; server/auth/login-throttle.ts). */
  loginFailuresAllowed: 5,
  /** Window over which failed logins are counted and forgotten. */
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
  /** ...and never longer than this from their login, however often used: a stolen token or cookie dies at last (SESSION_EXPIRED). */
  trustedSessionMaxMs: 90 * 24 * 60 * 60 * 1000,
  /** A `cookieCode` (docs/PROTOCOL.md section 13) is good for one POST /session/cookie within this long of the login. */
  cookieCodeTtlMs: 60 * 1000,
  /** Members of one group, its creator included (at most MAX_GROUP_MEMBERS, whatever is configured). */
  maxGroupMembers: 500,
  /** Groups one user may create in any hour; direct conversations (one per pair) are not counted. */
  groupsPerHour: 20,
  /** Messages one user may send in a minute from all their sockets together (two sockets' sustained rate). */
  sendsPerUserPerMinute: 6000,
  /** Contacts one user may add in an hour from all their sockets together. */
  contactsPerUserPerHour: 200,
  /** Block and unblock commands one user may send in an hour from all their sockets together. */
  blocksPerUserPerHour: 200,
  /** Users one user may have blocked at once. */
  maxBlockedPerUser: 1000,
  /** Profile changes (display name) one user may make in an hour: each one notifies every contact. */
  profileChangesPerUserPerHour: 30,
  /** Searches one user may run in a minute from all their sockets together (SearchMessagesCommand). */
  searchesPerUserPerMinute: 120,
  /** Most index matches one search examines before its page ends with hasMore (bounds one query's work). */
  searchScanLimit: 5000,
} as const;

export type Limits = typeof DEFAULT_LIMITS;

/**
 * The largest reply the server sends, in bytes of UTF-8. Pages (messages,
 * the conversations and contacts lists) are cut by bytes as well as by
 * count: a page that would grow past this ends early with `hasMore`, and the
 * client asks for the rest. Small against the client's cap below and the
 * server's slow-socket limit (4 MiB unsent), and it bounds the work one
 * request costs. The largest item of each page fits many times over
 * (limits.test.ts; docs/PROTOCOL.md, "Reply sizes"): a message at
 * most 25 KB, a conversation entry of MAX_GROUP_MEMBERS members at most
 * 806 KB, a contact at most 1 KB. The receipts of a group
 * (ReceiptsResponse, never paged) are at most MAX_GROUP_MEMBERS x
 * RECEIPT_MEMBER_BYTES, 838 KB.
 */
export const MAX_REPLY_BYTES = 1024 * 1024;

/** What a reply takes besides its page's items (name, conversationId, version, hasMore, lastId, requestId): under 1 KB at worst. */
export const REPLY_ENVELOPE_BYTES = 2048;

/**
 * Most members a group may ever have, whatever the server is configured to:
 * what keeps one conversation entry, and a group's receipts, inside a reply.
 * A member costs the entry at most 806 bytes (its id, up to 64 characters
 * of which each may take 6 bytes escaped, in `memberIds` and as a key of
 * `members` with its 16-digit `joinedSeq`); 1,000 of them and a title of
 * 100 escaped characters are 806 KB. (The ids the server makes are 24 ASCII
 * characters: a group of 500 is 35 KB.)
 */
export const MAX_GROUP_MEMBERS = 1000;

/**
 * Most bytes one member takes in a ReceiptsResponse or a `receipts:`
 * notification: its id (64 characters at 6 bytes escaped), in `ids` and as
 * a key, and `{"deliveredSeq":N,"readSeq":N}` with 16-digit seqs.
 */
export const RECEIPT_MEMBER_BYTES = 2 * (64 * 6 + 3) + 64;

/**
 * Largest frame from the server the client parses, in bytes of UTF-8.
 * docs/PROTOCOL.md caps the client's frames (maxFrameBytes) but not the server's,
 * and the browser hands over a whole frame however large; parsing and
 * dispatching a hostile multi-MB frame stalls the page. This server's
 * replies stay under MAX_REPLY_BYTES; the cap is set higher, at what a
 * server that does not cut pages by bytes could send for the client's own
 * page (messagesPageMax messages, which is what message-fetcher asks for) at
 * the longest body: maxBodyLength code points at 6 bytes each at worst in
 * JSON (control characters become \u00XX), plus at most 1 KiB a message of
 * ids, seq and times, plus 64 KiB for the rest of the frame: 12,577,536
 * bytes. The client refuses a larger frame unparsed.
 */
export const MAX_INCOMING_FRAME_BYTES = DEFAULT_LIMITS.messagesPageMax * (DEFAULT_LIMITS.maxBodyLength * 6 + 1024) + 64 * 1024;

/** Length of a message body as the protocol counts it: code points after trimming. */
export function bodyLength(body: string): number {
  let n = 0;
  // Iterating a string walks code points, so a surrogate pair counts once.
  for (const _ of body.trim()) n++;
  return n;
}

import type { Entry, Message } from './entities';
import { fullCommandName } from './names';
import type { ServerMessages } from './responses';

/**
 * The two frames that carry stored entries, each entry's JSON made once
 * and spliced in: a commit's answers and its `messages:<id>`
 * notification carry the same entry objects, and stringifying them twice
 * cost the server's event loop 2-4% per send (docs/BENCHMARKS.md). Each is
 * byte for byte what `encodeFrame` makes of the same payload
 * (message-frames.test.ts); the JSON is cached per message object.
 */
const cache = new WeakMap<Entry, string>();

/** An entry's JSON (a message's, or any other kind's), made once per entry object. */
export function messageJson(message: Entry): string {
  let json = cache.get(message);
  if (json === undefined) cache.set(message, (json = JSON.stringify(message)));
  return json;
}

const ACK = JSON.stringify(fullCommandName('SendMessageResponse'));
const CHANGED = JSON.stringify(fullCommandName('ResourceChangedNotification'));

/** `encodeFrame('SendMessageResponse', payload)`. */
export function encodeSendMessageResponse(payload: ServerMessages['SendMessageResponse']): string {
  const { clientMessageId, message, duplicate, requestId } = payload;
  const rid = requestId === undefined ? '' : `,"requestId":${JSON.stringify(requestId)}`;
  return `{${ACK}:{"clientMessageId":${JSON.stringify(clientMessageId)},"message":${messageJson(message)},"duplicate":${duplicate}${rid}}}`;
}

/** `encodeFrame('ResourceChangedNotification', {resource, version, ids, items})` for entries, in the order given. */
export function encodeMessagesChanged(resource: string, version: number, messages: readonly Entry[]): string {
  let ids = '';
  let items = '';
  for (const m of messages) {
    const id = JSON.stringify(m.id);
    ids += ids ? `,${id}` : id;
    items += `${items ? ',' : ''}${id}:${messageJson(m)}`;
  }
  return `{${CHANGED}:{"resource":${JSON.stringify(resource)},"version":${version},"ids":[${ids}],"items":{${items}}}}`;
}

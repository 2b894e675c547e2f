import { fullCommandName, type Message } from '../../src/protocol/index';

/**
 * A stored message's JSON, made once and spliced into every frame that
 * carries it: the sender's SendMessageResponse (in the commit's turn) and
 * the commit's `messages:<id>` notification (a turn later) would otherwise
 * stringify the same object twice. Cached per message object (the writer
 * hands the same object to the sender's answer and to the committed batch);
 * a different object only costs a second stringify.
 */
const cache = new WeakMap<Message, string>();

export function messageJson(message: Message): string {
  let json = cache.get(message);
  if (json === undefined) cache.set(message, (json = JSON.stringify(message)));
  return json;
}

const ACK = JSON.stringify(fullCommandName('SendMessageResponse'));
const CHANGED = JSON.stringify(fullCommandName('ResourceChangedNotification'));

/** `encodeFrame('SendMessageResponse', {clientMessageId, message, duplicate, requestId?})`, with the message spliced in. */
export function encodeSendResponse(clientMessageId: string, message: Message, duplicate: boolean, requestId?: string): string {
  const rid = requestId === undefined ? '' : `,"requestId":${JSON.stringify(requestId)}`;
  return `{${ACK}:{"clientMessageId":${JSON.stringify(clientMessageId)},"message":${messageJson(message)},"duplicate":${duplicate}${rid}}}`;
}

/** `encodeFrame('ResourceChangedNotification', {resource, version, ids, items})` for messages, each spliced in. */
export function encodeMessagesChanged(resource: string, version: number, messages: readonly Message[]): string {
  let ids = '';
  let items = '';
  for (const m of messages) {
    const id = JSON.stringify(m.id);
    ids += ids ? `,${id}` : id;
    items += `${items ? ',' : ''}${id}:${messageJson(m)}`;
  }
  return `{${CHANGED}:{"resource":${JSON.stringify(resource)},"version":${version},"ids":[${ids}],"items":{${items}}}}`;
}

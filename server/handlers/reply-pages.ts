import { MAX_REPLY_BYTES, REPLY_ENVELOPE_BYTES, fullCommandName, type ServerMessageName } from '../../src/protocol/index';
import type { Reply } from './context';

/** Most items one list page carries, however small they are (bounds the rows one request reads). */
export const LIST_PAGE_ITEMS = 1000;

/** Items of a page with the JSON each is sent as, in the order they were taken. */
export interface FilledPage<T> {
  items: T[];
  json: string[];
  /** True when items were left because the next one would not fit. */
  cut: boolean;
}

/**
 * Takes items in order while their JSON (keyed by id, as the responses'
 * objects are) fits in the page's share of MAX_REPLY_BYTES, and at most
 * `maxItems`. The first item is always taken, so a page always makes
 * progress; every item fits by construction (src/protocol/limits.ts).
 */
export function fillPage<T>(
  items: Iterable<T>,
  idOf: (item: T) => string,
  maxItems: number = LIST_PAGE_ITEMS,
  budget: number = MAX_REPLY_BYTES - REPLY_ENVELOPE_BYTES,
): FilledPage<T> {
  const page: FilledPage<T> = { items: [], json: [], cut: false };
  let bytes = 0;
  for (const item of items) {
    if (page.items.length >= maxItems) {
      page.cut = true;
      break;
    }
    const json = JSON.stringify(item);
    // The item, its id as key, the colon and the comma.
    const cost = Buffer.byteLength(json) + Buffer.byteLength(idOf(item)) + 4;
    if (page.items.length > 0 && bytes + cost > budget) {
      page.cut = true;
      break;
    }
    bytes += cost;
    page.items.push(item);
    page.json.push(json);
  }
  return page;
}

/**
 * A reply whose `field` is an object of the page's items keyed by id, with
 * `rest` beside it. Encoded from the JSON the page was measured with, so
 * each item is stringified once.
 */
export function keyedReply<T>(name: ServerMessageName, field: string, page: FilledPage<T>, idOf: (item: T) => string, rest: Record<string, unknown>): Reply {
  const byId: Record<string, T> = {};
  for (const item of page.items) byId[idOf(item)] = item;
  return {
    name,
    payload: { [field]: byId, ...rest },
    encode: (requestId) => {
      const items = page.items.map((item, i) => `${JSON.stringify(idOf(item))}:${page.json[i]}`).join(',');
      const others = JSON.stringify(requestId === undefined ? rest : { ...rest, requestId }).slice(1, -1);
      return `{${JSON.stringify(fullCommandName(name))}:{${JSON.stringify(field)}:{${items}}${others ? `,${others}` : ''}}}`;
    },
  };
}

/**
 * The rest of a list reply: `hasMore` and, when there is more, `lastId`,
 * the id to send back as `afterId` for the next page.
 */
export function listRest<T>(page: FilledPage<T>, idOf: (item: T) => string, version: number): Record<string, unknown> {
  const last = page.items[page.items.length - 1];
  return page.cut && last !== undefined ? { version, hasMore: true, lastId: idOf(last) } : { version, hasMore: false };
}

/** Requested ids after `afterId`, each once, in the order pages are served. */
export function wantedAfter(ids: readonly string[], afterId: string): string[] {
  return [...new Set(ids)].filter((id) => id > afterId).sort();
}

import { beforeEach, describe, expect, it } from 'vitest';
import { createDispatch, type Dispatch } from '../dispatch/dispatch';
import type { Entry, Message, User } from '../protocol';
import { Store } from '../store/store';
import { wireMessage } from '../store/testing/entries';
import { LocalSearchIndex } from './local-index';
import { SearchController, mergeResults, type SearchResults, type ServerSearch } from './search-controller';

const alice: User = { id: 'u1', username: 'alice', displayName: 'Alice' };
const msg = (seq: number, body: string, conversationId = 'c1', more: Partial<Message> = {}): Message =>
  wireMessage({ id: `${conversationId}-m${seq}`, conversationId, seq, senderId: 'u2', clientMessageId: `k${conversationId}${seq}`, body, sentAt: 1000 + seq, ...more });
const bodies = (r: SearchResults): string[] => r.messages.map((m) => m.body);

describe('the local search index', () => {
  it('matches like the server: case and accents ignored, prefixes of two letters or more, every word', () => {
    const index = new LocalSearchIndex();
    for (const m of [msg(1, 'Meet at the café'), msg(2, 'CAFETERIA closed'), msg(3, 'blue whale song'), msg(4, 'x marks the spot'), msg(5, 'xylophone')]) index.put(m);
    const ids = (q: string, conversationId?: string): string[] => index.search(q, { limit: 20, ...(conversationId ? { conversationId } : {}) }).map((h) => h.id);
    expect(ids('cafe')).toEqual(['c1-m2', 'c1-m1']);
    expect(ids('CAFÉ')).toEqual(['c1-m2', 'c1-m1']);
    expect(ids('whal blu')).toEqual(['c1-m3']);
    expect(ids('blue nothing')).toEqual([]);
    expect(ids('x')).toEqual(['c1-m4']);
    expect(ids('xy')).toEqual(['c1-m5']);
    expect(ids('?!')).toEqual([]);
    expect(ids('cafe', 'c2')).toEqual([]);
  });
});

describe('the search controller', () => {
  let bus: Dispatch;
  let store: Store;
  let serverAnswer: Message[];
  let online: boolean;
  const server: ServerSearch = async (p) => {
    if (!online) throw new Error('offline');
    return { query: p.query, messages: serverAnswer, hasMore: false };
  };

  beforeEach(async () => {
    bus = createDispatch();
    store = new Store({ dispatch: bus, backends: null });
    await store.useAccount(alice, true);
    serverAnswer = [];
    online = true;
  });

  const run = async (controller: SearchController, query: string, conversationId?: string): Promise<SearchResults[]> => {
    const seen: SearchResults[] = [];
    await controller.search(query, conversationId ? { conversationId } : {}, (r) => seen.push(r));
    return seen;
  };

  it('indexes what the store held at start, then keeps in step as messages arrive, are edited and deleted', async () => {
    store.addEntries([msg(1, 'the okapi report')]);
    const controller = new SearchController({ store, dispatch: bus, server });
    await controller.ready;
    online = false;
    expect(bodies((await run(controller, 'okapi'))[0]!)).toEqual(['the okapi report']);
    store.addEntries([msg(2, 'another okapi sighting')]);
    expect(bodies((await run(controller, 'okapi'))[0]!)).toEqual(['another okapi sighting', 'the okapi report']);
    const edit: Entry = { id: 'e3', conversationId: 'c1', seq: 3, senderId: 'u2', clientMessageId: 'e3', sentAt: 1003, kind: 'edit', targetId: 'c1-m2', target: { ...msg(2, 'another zebra sighting'), editedAt: 1003, revision: 3 } };
    store.addEntries([edit]);
    expect(bodies((await run(controller, 'okapi'))[0]!)).toEqual(['the okapi report']);
    expect(bodies((await run(controller, 'zebra'))[0]!)).toEqual(['another zebra sighting']);
    const del: Entry = { id: 'e4', conversationId: 'c1', seq: 4, senderId: 'u2', clientMessageId: 'e4', sentAt: 1004, kind: 'delete', targetId: 'c1-m1', target: { ...msg(1, ''), deletedAt: 1004, revision: 4 } };
    store.addEntries([del]);
    expect(bodies((await run(controller, 'okapi'))[0]!)).toEqual([]);
    expect(controller.index.size).toBe(1);
    controller.stop();
  });

  it('searches offline from the device, says so, and scopes to one conversation', async () => {
    store.addEntries([msg(1, 'lunch at noon'), msg(1, 'lunch tomorrow', 'c2')]);
    const controller = new SearchController({ store, dispatch: bus, server });
    await controller.ready;
    online = false;
    const seen = await run(controller, 'lunch');
    expect(seen.map((r) => r.source)).toEqual(['local', 'offline']);
    expect(bodies(seen[1]!)).toEqual(['lunch tomorrow', 'lunch at noon']);
    expect(bodies((await run(controller, 'lunch', 'c2'))[1]!)).toEqual(['lunch tomorrow']);
  });

  it('merges the server results when online: each message once (the newer revision), newest first', async () => {
    store.addEntries([msg(5, 'pelican local')]);
    const controller = new SearchController({ store, dispatch: bus, server });
    await controller.ready;
    serverAnswer = [msg(9, 'pelican only on the server', 'c3'), { ...msg(5, 'pelican local, edited'), editedAt: 2000, revision: 7 }, msg(1, 'old pelican', 'c3')];
    const seen = await run(controller, 'pelican');
    expect(seen.map((r) => r.source)).toEqual(['local', 'merged']);
    expect(bodies(seen[0]!)).toEqual(['pelican local']);
    expect(bodies(seen[1]!)).toEqual(['pelican only on the server', 'pelican local, edited', 'old pelican']);
  });

  it('mergeResults leaves out a message the server says is deleted and cuts at the limit', () => {
    const local = [msg(1, 'a one'), msg(2, 'a two')];
    const remote = [{ ...msg(2, ''), deletedAt: 5, revision: 9 }, msg(3, 'a three')];
    expect(mergeResults(local, remote, 10).map((m) => m.body)).toEqual(['a three', 'a one']);
    expect(mergeResults(local, remote, 1).map((m) => m.body)).toEqual(['a three']);
  });
});
